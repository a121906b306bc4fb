using System.Diagnostics;
using System.Text;
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
/// Drains the outbox to the broker in acquisition order: for each entry the overlay (if the policy
/// lets it go) and then the result JSON, QoS 1, never retained. An entry is marked published only
/// after the broker acknowledged the result; a failure stops the batch there (order is kept) and
/// the entry is retried after the link returns. The result JSON goes last, so a hub that sees
/// <c>hasOverlay: true</c> knows the overlay was already accepted by the broker.
/// </summary>
public sealed class ResultPublisher
{
    /// <summary>User property that links an overlay (and a result) to its result id.</summary>
    public const string ResultIdProperty = "resultId";
    private const string OverlayErrorPrefix = "overlay: ";
    /// <summary>After this many failed attempts that broke while sending the overlay, the result goes without it (a broker that drops oversized packets by disconnecting would otherwise block the queue).</summary>
    private const int MaxAttemptsWithOverlay = 3;

    private readonly OutboxStore _outbox;
    private readonly MqttLink _link;
    private readonly MqttOptions _mqtt;
    private readonly OutboxOptions _outboxOptions;
    private readonly ILogger<ResultPublisher> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private DateTimeOffset? _lastPublishedAt;
    private string? _lastError;
    private long _publishedTotal;

    public ResultPublisher(OutboxStore outbox, MqttLink link, IOptions<MqttOptions> mqtt, IOptions<OutboxOptions> outboxOptions,
        ILogger<ResultPublisher> logger, TimeProvider time)
    {
        _outbox = outbox;
        _link = link;
        _mqtt = mqtt.Value;
        _outboxOptions = outboxOptions.Value;
        _logger = logger;
        _time = time;
        _link.Connected += _ => { _outbox.PendingAdded.Set(); return Task.CompletedTask; };
    }

    /// <summary>When the broker last acknowledged a result published by this process.</summary>
    public DateTimeOffset? LastPublishedAt { get { lock (_gate) { return _lastPublishedAt; } } }

    /// <summary>Why the last publish failed; cleared by the next success.</summary>
    public string? LastError { get { lock (_gate) { return _lastError; } } }

    /// <summary>Results acknowledged by the broker since start (duplicates after a crash included).</summary>
    public long PublishedTotal => Interlocked.Read(ref _publishedTotal);

    /// <summary>Runs until cancelled: waits for the link, drains, then waits for new entries.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await _link.WaitUntilConnectedAsync(cancellationToken);
            var drained = await DrainAsync(cancellationToken);
            if (drained.Failed)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(
                    _mqtt.ReconnectMinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)),
                    _mqtt.ReconnectMaxDelay.TotalMilliseconds));
                await Task.Delay(delay, _time, cancellationToken);
                continue;
            }
            failures = 0;
            // Wait for an enqueue, a republish or a reconnect; the timeout catches changes made by another process (CLI republish).
            await _outbox.PendingAdded.WaitAsync(TimeSpan.FromSeconds(30), _time, cancellationToken);
        }
    }

    /// <summary>Publishes pending entries until the outbox is empty or a publish fails.</summary>
    internal async Task<(int Count, bool Failed)> DrainAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var count = 0;
        try
        {
            while (true)
            {
                var batch = _outbox.PeekPending(_outboxOptions.BatchSize);
                if (batch.Count == 0)
                {
                    return (count, false);
                }
                var acknowledged = new List<long>(batch.Count);
                try
                {
                    foreach (var message in batch)
                    {
                        if (!await PublishOneAsync(message, cancellationToken))
                        {
                            return (count + acknowledged.Count, true);
                        }
                        acknowledged.Add(message.Entry.Sequence);
                    }
                }
                finally
                {
                    // Whatever the broker acknowledged is recorded even if the batch stopped half-way.
                    _outbox.MarkPublished(acknowledged);
                    count += acknowledged.Count;
                }
            }
        }
        finally
        {
            if (count > 1)
            {
                MessagingLog.Drained(_logger, count, Stopwatch.GetElapsedTime(started).TotalSeconds, _outbox.GetStats().PendingCount);
            }
        }
    }

    private async Task<bool> PublishOneAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var entry = message.Entry;
        var v5 = _link.ProtocolVersion == MqttProtocolVersion.V500;
        string? omitted = null;
        var stage = "result: ";
        try
        {
            if (message.Overlay is { } overlay)
            {
                omitted = OverlayRefusal(entry, overlay.Length);
                if (omitted is null)
                {
                    stage = OverlayErrorPrefix;
                    var builder = new MqttApplicationMessageBuilder()
                        .WithTopic(Topics.Overlay(_mqtt.Site, _mqtt.DeviceId, entry.ResultId))
                        .WithPayload(overlay)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                        .WithRetainFlag(false);
                    if (v5)
                    {
                        builder = builder.WithContentType("image/png").WithUserProperty(ResultIdProperty, Encoding.UTF8.GetBytes(entry.ResultId).AsMemory());
                    }
                    var overlayResult = await _link.PublishAsync(builder.Build(), cancellationToken);
                    if (!IsAcknowledged(overlayResult))
                    {
                        omitted = $"broker refused the {overlay.Length}-byte overlay ({Reason(overlayResult)})";
                    }
                    stage = "result: ";
                }
                if (omitted is not null)
                {
                    MessagingLog.OverlayOmitted(_logger, entry.ResultId, omitted);
                }
            }
            var json = omitted is null ? message.ResultJson : WithoutOverlay(message.ResultJson, omitted);
            var resultBuilder = new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Results(_mqtt.Site, _mqtt.DeviceId))
                .WithPayload(json)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(false);
            if (v5)
            {
                resultBuilder = resultBuilder.WithContentType("application/json").WithUserProperty(ResultIdProperty, Encoding.UTF8.GetBytes(entry.ResultId).AsMemory());
            }
            var result = await _link.PublishAsync(resultBuilder.Build(), cancellationToken);
            if (!IsAcknowledged(result))
            {
                // Never dropped: it stays first in line and the status says why (e.g. an ACL refusing the topic).
                return Fail(entry, $"result: broker refused it ({Reason(result)})");
            }
        }
        catch (LinkUnavailableException ex)
        {
            return Fail(entry, stage + ex.Message);
        }
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            _lastPublishedAt = now;
            _lastError = null;
        }
        Interlocked.Increment(ref _publishedTotal);
        return true;
    }

    private string? OverlayRefusal(OutboxEntry entry, int length)
    {
        if (_mqtt.Overlay == "off")
        {
            return "overlay publishing is off (Mqtt:Overlay)";
        }
        if (length > _mqtt.OverlayMaxBytes)
        {
            return $"{length} bytes is over Mqtt:OverlayMaxBytes ({_mqtt.OverlayMaxBytes})";
        }
        if (entry.Attempts >= MaxAttemptsWithOverlay && entry.LastError?.StartsWith(OverlayErrorPrefix, StringComparison.Ordinal) == true)
        {
            return $"the link broke {entry.Attempts} times while sending the {length}-byte overlay (last: {entry.LastError})";
        }
        return null;
    }

    private bool Fail(OutboxEntry entry, string error)
    {
        _outbox.RecordFailure(entry.Sequence, error);
        lock (_gate)
        {
            _lastError = error;
        }
        MessagingLog.PublishFailed(_logger, entry.ResultId, error);
        return false;
    }

    /// <summary>"No matching subscribers" is still the broker taking responsibility for the message.</summary>
    private static bool IsAcknowledged(MqttClientPublishResult result) =>
        result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers;

    /// <summary>The PUBACK reason as words; codes MQTTnet has no name for (e.g. 0x95 packet too large) as hex.</summary>
    private static string Reason(MqttClientPublishResult result)
    {
        var code = Enum.IsDefined(result.ReasonCode) ? result.ReasonCode.ToString() : $"reason code 0x{(int)result.ReasonCode:X2}";
        return string.IsNullOrWhiteSpace(result.ReasonString) ? code : $"{code}: {result.ReasonString}";
    }

    private static byte[] WithoutOverlay(byte[] json, string reason)
    {
        var result = JsonSerializer.Deserialize(json, MessagingJsonContext.Default.ResultMessage)
            ?? throw new InvalidOperationException("outbox holds an empty result JSON");
        return JsonSerializer.SerializeToUtf8Bytes(result with { HasOverlay = false, OverlayOmitted = reason }, MessagingJsonContext.Default.ResultMessage);
    }
}
