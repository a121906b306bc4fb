namespace EdgeAgent.Devices.Camera;

/// <summary>
/// A camera that exists only in memory: it delivers the frames it was loaded with, in order,
/// and remembers how often it was asked. Stands in for V4L2 in tests and in demos without hardware.
/// When the queue is empty it repeats the last frame, as a real camera keeps showing the same scene.
/// </summary>
public sealed class SimulatedFrameSource : IFrameSource
{
    private readonly Queue<Func<DateTimeOffset, RawFrame>> _scenes = new();
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private Func<DateTimeOffset, RawFrame>? _last;
    private bool _disconnected;
    private bool _disposed;

    public SimulatedFrameSource(string name = "simulated-camera", TimeProvider? timeProvider = null)
    {
        Name = name;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public string Name { get; }

    /// <summary>How many frames were taken.</summary>
    public int CaptureCount { get; private set; }

    /// <summary>Queues a frame with the given pixel bytes; its capture time is the moment it is taken.</summary>
    public void Enqueue(byte[] data, int width, int height, FramePixelFormat format)
    {
        ArgumentNullException.ThrowIfNull(data);
        lock (_gate)
        {
            _scenes.Enqueue(at => new RawFrame(data, width, height, format, at, Name));
        }
    }

    /// <summary>Makes the next captures fail as an unplugged USB device does, until reconnected.</summary>
    public void Disconnect()
    {
        lock (_gate) { _disconnected = true; }
    }

    public void Reconnect()
    {
        lock (_gate) { _disconnected = false; }
    }

    public ValueTask<RawFrame> CaptureAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_disconnected)
            {
                throw new CameraException($"{Name}: no such device (simulated disconnect).");
            }

            if (_scenes.TryDequeue(out var next))
            {
                _last = next;
            }

            if (_last is null)
            {
                throw new CameraException($"{Name}: no frame loaded into the simulated camera.");
            }

            CaptureCount++;
            return ValueTask.FromResult(_last(_timeProvider.GetUtcNow()));
        }
    }

    public void Dispose()
    {
        lock (_gate) { _disposed = true; }
    }
}
