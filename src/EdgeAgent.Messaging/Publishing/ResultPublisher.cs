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
/// <c>hasOverlay: true</c> knows the overlay was already accepted by the broker. An overlay over the
/// device's cap or the broker's limit is shrunk by the <see cref="IOverlayShrinker"/> when one is
/// registered, and dropped only when no smaller copy fits; <c>overlayStatus</c> says which.
/// </summary>
public sealed class ResultPublisher
{
    /// <summary>User property that links an overlay (and a result) to its result id.</summary>
    public const string ResultIdProperty = "resultId";
    /// <summary>User property of a result (and of its overlay) that repeats <see cref="ResultMessage.OverlayStatus"/>.</summary>
    public const string OverlayStatusProperty = "overlayStatus";
    /// <summary>MQTT 5 PUBACK reason "packet too large" (mosquitto's answer over its message_size_limit); MQTTnet has no name for it.</summary>
    private const int PacketTooLarge = 0x95;
    /// <summary>
    /// Room for everything in an overlay PUBLISH besides the PNG: fixed header (5), topic length and packet id (4), property
    /// lengths and identifiers, content type, and the two user properties' names; the topic and result id are added to it.
    /// </summary>
    private const int OverlayPacketOverhead = 128;
    private const string OverlayErrorPrefix = "overlay: ";
    /// <summary>After this many failed attempts that broke while sending the overlay, the result goes without it (a broker that drops oversized packets by disconnecting would otherwise block the queue).</summary>
    private const int MaxAttemptsWithOverlay = 3;

    private readonly OutboxStore _outbox;
    private readonly MqttLink _link;
    private readonly MqttOptions _mqtt;
    private readonly OutboxOptions _outboxOptions;
    private readonly ILogger<ResultPublisher> _logger;
    private readonly TimeProvider _time;
    private readonly IOverlayShrinker? _shrinker;
    private readonly Lock _gate = new();
    private DateTimeOffset? _lastPublishedAt;
    private string? _lastError;
    private long _publishedTotal;

    public ResultPublisher(OutboxStore outbox, MqttLink link, IOptions<MqttOptions> mqtt, IOptions<OutboxOptions> outboxOptions,
        ILogger<ResultPublisher> logger, TimeProvider time, IOverlayShrinker? shrinker = null)
    {
        _shrinker = shrinker;
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
        string? status = null;
        string? omitted = null;
        var stage = "result: ";
        try
        {
            if (message.Overlay is { } rendered)
            {
                (var overlay, status, omitted) = FitOverlay(entry, rendered);
                while (overlay is not null)
                {
                    stage = OverlayErrorPrefix;
                    var sent = await _link.PublishAsync(OverlayMessage(entry.ResultId, overlay, status, v5), cancellationToken);
                    stage = "result: ";
                    if (IsAcknowledged(sent))
                    {
                        break;
                    }
                    // A broker that does not advertise its limit says "too large" only now: try a quarter of the size, until
                    // one fits or the shrinker gives up (each try is smaller, so this ends).
                    var refusal = $"broker refused the {overlay.Length}-byte overlay ({Reason(sent)})";
                    var smaller = (int)sent.ReasonCode == PacketTooLarge ? Shrink(overlay, overlay.Length / 4) : null;
                    if (smaller is null)
                    {
                        (overlay, status, omitted) = (null, OverlayStatuses.Dropped, refusal + (_shrinker is null ? "" : "; no smaller copy could be made"));
                    }
                    else
                    {
                        MessagingLog.OverlayShrunk(_logger, entry.ResultId, overlay.Length, smaller.Length, refusal);
                        (overlay, status) = (smaller, OverlayStatuses.Shrunk);
                    }
                }
                if (omitted is not null)
                {
                    MessagingLog.OverlayOmitted(_logger, entry.ResultId, omitted);
                }
            }
            var json = status is null ? message.ResultJson : WithOverlayStatus(message.ResultJson, status, omitted);
            var resultBuilder = new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Results(_mqtt.Site, _mqtt.DeviceId))
                .WithPayload(json)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(false);
            if (v5)
            {
                resultBuilder = resultBuilder.WithContentType("application/json").WithUserProperty(ResultIdProperty, Encoding.UTF8.GetBytes(entry.ResultId).AsMemory());
                if (status is not null)
                {
                    resultBuilder = resultBuilder.WithUserProperty(OverlayStatusProperty, Encoding.UTF8.GetBytes(status).AsMemory());
                }
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

    private MqttApplicationMessage OverlayMessage(string resultId, byte[] overlay, string status, bool v5)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Overlay(_mqtt.Site, _mqtt.DeviceId, resultId))
            .WithPayload(overlay)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(false);
        if (v5)
        {
            builder = builder.WithContentType("image/png")
                .WithUserProperty(ResultIdProperty, Encoding.UTF8.GetBytes(resultId).AsMemory())
                .WithUserProperty(OverlayStatusProperty, Encoding.UTF8.GetBytes(status).AsMemory());
        }
        return builder.Build();
    }

    /// <summary>
    /// What to send before asking the broker: the rendered overlay when the policy lets it go and it fits both the device's
    /// cap and the packet size the broker advertised; else a shrunk copy that fits; else nothing, with the reason.
    /// </summary>
    private (byte[]? Overlay, string Status, string? Omitted) FitOverlay(OutboxEntry entry, byte[] rendered)
    {
        if (_mqtt.Overlay == "off")
        {
            return (null, OverlayStatuses.Dropped, "overlay publishing is off (Mqtt:Overlay)");
        }
        if (entry.Attempts >= MaxAttemptsWithOverlay && entry.LastError?.StartsWith(OverlayErrorPrefix, StringComparison.Ordinal) == true)
        {
            return (null, OverlayStatuses.Dropped, $"the link broke {entry.Attempts} times while sending the {rendered.Length}-byte overlay (last: {entry.LastError})");
        }
        var limit = _mqtt.OverlayMaxBytes;
        var over = $"{rendered.Length} bytes is over Mqtt:OverlayMaxBytes ({_mqtt.OverlayMaxBytes})";
        if (_link.BrokerMaximumPacketSize is { } packet)
        {
            var room = packet - OverlayPacketOverhead - Encoding.UTF8.GetByteCount(Topics.Overlay(_mqtt.Site, _mqtt.DeviceId, entry.ResultId)) - 2 * entry.ResultId.Length;
            if (room < limit)
            {
                limit = (int)Math.Max(0, room);
                over = $"{rendered.Length} bytes does not fit the broker's maximum packet size ({packet})";
            }
        }
        if (rendered.Length <= limit)
        {
            return (rendered, OverlayStatuses.Full, null);
        }
        if (limit > 0 && Shrink(rendered, limit) is { } shrunk)
        {
            MessagingLog.OverlayShrunk(_logger, entry.ResultId, rendered.Length, shrunk.Length, over);
            return (shrunk, OverlayStatuses.Shrunk, null);
        }
        return (null, OverlayStatuses.Dropped, over + (_shrinker is null ? "" : "; no smaller copy fits"));
    }

    /// <summary>A smaller copy, or null; a shrinker that fails must not block the queue, so its failure only means "no copy".</summary>
    private byte[]? Shrink(byte[] overlay, int maxBytes)
    {
        if (_shrinker is null || maxBytes <= 0)
        {
            return null;
        }
        try
        {
            return _shrinker.Shrink(overlay, maxBytes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            MessagingLog.OverlayShrinkFailed(_logger, ex, overlay.Length);
            return null;
        }
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

    /// <summary>The result JSON with <c>overlayStatus</c> (and, when dropped, <c>hasOverlay: false</c> and the reason); unchanged bytes when it already says so.</summary>
    private static byte[] WithOverlayStatus(byte[] json, string status, string? omitted)
    {
        var result = JsonSerializer.Deserialize(json, MessagingJsonContext.Default.ResultMessage)
            ?? throw new InvalidOperationException("outbox holds an empty result JSON");
        var updated = status == OverlayStatuses.Dropped
            ? result with { HasOverlay = false, OverlayStatus = status, OverlayOmitted = omitted }
            : result with { HasOverlay = true, OverlayStatus = status };
        return updated == result ? json : JsonSerializer.SerializeToUtf8Bytes(updated, MessagingJsonContext.Default.ResultMessage);
    }
}
