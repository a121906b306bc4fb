using System.Text.Json;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.Publishing;

/// <summary>
/// The retained <c>status</c> topic: a birth message on every connect (with a sequence number kept
/// in the outbox database, so it grows across restarts), the Last Will <c>offline</c>, periodic and
/// on-request updates with stats and alarms, and <c>stopped</c> on a clean shutdown.
/// </summary>
public sealed class StatusReporter
{
    private readonly OutboxStore _outbox;
    private readonly MqttLink _link;
    private readonly ResultPublisher _publisher;
    private readonly IDeviceStatusSource _source;
    private readonly MqttOptions _options;
    private readonly ILogger<StatusReporter> _logger;
    private readonly TimeProvider _time;
    private readonly Outbox.AsyncSignal _updateRequested = new();
    private readonly DateTimeOffset _startedAt;
    // Birth and updates are built and published one at a time, so the retained status never goes back to an older birth.
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private long _birthSequence;

    public StatusReporter(OutboxStore outbox, MqttLink link, ResultPublisher publisher, IDeviceStatusSource source,
        IOptions<MqttOptions> options, ILogger<StatusReporter> logger, TimeProvider time)
    {
        _outbox = outbox;
        _link = link;
        _publisher = publisher;
        _source = source;
        _options = options.Value;
        _logger = logger;
        _time = time;
        _startedAt = time.GetUtcNow();
        _link.StatusChanged += _ => _updateRequested.Set();
    }

    public string Topic => Topics.Status(_options.Site, _options.DeviceId);

    /// <summary>The sequence number of the last birth published by this process (0 before the first).</summary>
    public long BirthSequence => Interlocked.Read(ref _birthSequence);

    /// <summary>Asks for a status update soon (e.g. the model changed, the outbox became full).</summary>
    public void RequestUpdate() => _updateRequested.Set();

    /// <summary>The status as it would be published now, with outbox figures and alarms.</summary>
    public StatusMessage Build(string state)
    {
        var device = _source.GetSnapshot();
        var outbox = _outbox.GetStats();
        var alarms = new List<string>(device.Alarms);
        if (outbox.FullReason is { } full)
        {
            alarms.Add($"outbox-full: {full}; intake paused");
        }
        if (outbox.Stale && outbox.OldestPendingAge is { } age)
        {
            alarms.Add($"outbox-stale: oldest unsent result is {age.TotalHours:0.0} h old");
        }
        return new StatusMessage
        {
            DeviceId = _options.DeviceId,
            Site = _options.Site,
            State = state,
            AgentVersion = device.AgentVersion,
            ModelName = device.ModelName,
            ModelVersion = device.ModelVersion,
            Provider = device.Provider,
            StartedAt = _startedAt,
            BirthSequence = BirthSequence,
            Processed = device.Processed,
            Failed = device.Failed,
            QueueDepth = outbox.PendingCount,
            OldestQueuedAgeSeconds = outbox.OldestPendingAge?.TotalSeconds,
            LastError = _publisher.LastError ?? device.LastError,
            LastPublishedAt = outbox.LastPublishedAt,
            Alarms = alarms,
            Timestamp = _time.GetUtcNow(),
        };
    }

    /// <summary>The Last Will payload registered with the broker at connect.</summary>
    public byte[] WillPayload() => Serialize(Build(DeviceStates.Offline));

    /// <summary>Publishes a new birth (online, next sequence number); used on connect and by the <c>rebirth</c> command.</summary>
    public async Task<long> PublishBirthAsync(CancellationToken cancellationToken)
    {
        await _publishGate.WaitAsync(cancellationToken);
        try
        {
            var sequence = _outbox.NextBirthSequence();
            Interlocked.Exchange(ref _birthSequence, sequence);
            await _link.PublishAsync(Message(Build(DeviceStates.Online)), cancellationToken);
            MessagingLog.Birth(_logger, sequence, Topic);
            return sequence;
        }
        finally
        {
            _publishGate.Release();
        }
    }

    /// <summary>The clean-shutdown status, published just before the disconnect.</summary>
    public MqttApplicationMessage StoppedMessage() => Message(Build(DeviceStates.Stopped));

    /// <summary>Refreshes the status every Mqtt:StatusInterval and on request, and prunes expired kept results.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await _updateRequested.WaitAsync(_options.StatusInterval, _time, cancellationToken);
            var pruned = _outbox.PruneExpired();
            if (pruned > 0)
            {
                MessagingLog.Pruned(_logger, pruned);
            }
            await _publishGate.WaitAsync(cancellationToken);
            try
            {
                var status = Build(DeviceStates.Online);
                new LocalStatusReport { Status = status, Link = _link.Status, WrittenAt = _time.GetUtcNow() }.Save(_outbox);
                if (_link.IsConnected && status.BirthSequence != 0)
                {
                    await _link.PublishAsync(Message(status), cancellationToken);
                }
            }
            catch (LinkUnavailableException ex)
            {
                MessagingLog.StatusFailed(_logger, ex.Message);
            }
            finally
            {
                _publishGate.Release();
            }
        }
    }

    private MqttApplicationMessage Message(StatusMessage status)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(Topic)
            .WithPayload(Serialize(status))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true);
        if (_link.ProtocolVersion == MqttProtocolVersion.V500)
        {
            builder = builder.WithContentType("application/json");
        }
        return builder.Build();
    }

    private static byte[] Serialize(StatusMessage status) =>
        JsonSerializer.SerializeToUtf8Bytes(status, MessagingJsonContext.Default.StatusMessage);
}
