using System.Threading.Channels;

namespace EdgeAgent.Devices.Triggers;

/// <summary>
/// Where every trigger (button, interval, MQTT command handler) drops capture requests and the
/// camera input takes them from. Bounded: a held or hammered button must not queue minutes of
/// diagnoses, so requests beyond <see cref="Capacity"/> are refused and the caller is told.
/// </summary>
public sealed class CaptureRequestQueue
{
    public const int Capacity = 4;

    private readonly Channel<CaptureRequest> _channel = Channel.CreateBounded<CaptureRequest>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private readonly TimeProvider _timeProvider;

    public CaptureRequestQueue(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>Asks for a capture now; false when the queue is full (the request is dropped).</summary>
    public bool TryRequest(CaptureTrigger trigger, string? correlationId = null) =>
        _channel.Writer.TryWrite(new CaptureRequest(trigger, _timeProvider.GetUtcNow(), correlationId));

    /// <summary>Waits for the next request.</summary>
    public ValueTask<CaptureRequest> ReadAsync(CancellationToken cancellationToken) =>
        _channel.Reader.ReadAsync(cancellationToken);

    /// <summary>Requests waiting to be served.</summary>
    public int Pending => _channel.Reader.Count;
}
