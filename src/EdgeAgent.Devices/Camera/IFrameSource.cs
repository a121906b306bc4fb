namespace EdgeAgent.Devices.Camera;

/// <summary>A camera or frame grabber that takes one still frame on request.</summary>
public interface IFrameSource : IDisposable
{
    /// <summary>The device name shown in logs and results (e.g. /dev/video0).</summary>
    string Name { get; }

    /// <summary>Takes one frame. Throws <see cref="CameraException"/> naming the device when it cannot.</summary>
    ValueTask<RawFrame> CaptureAsync(CancellationToken cancellationToken);
}
