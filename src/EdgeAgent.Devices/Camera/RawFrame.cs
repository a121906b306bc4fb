namespace EdgeAgent.Devices.Camera;

/// <summary>One frame as the capture device delivered it, before decoding.</summary>
/// <param name="Data">The bytes of the frame (packed pixels, or a whole JPEG for MJPEG).</param>
/// <param name="Width">Width in pixels the device was configured for.</param>
/// <param name="Height">Height in pixels the device was configured for.</param>
/// <param name="Format">How <paramref name="Data"/> is laid out.</param>
/// <param name="CapturedAt">When the frame was taken.</param>
/// <param name="DeviceName">The device that took it (e.g. /dev/video0), for error messages and results.</param>
public sealed record RawFrame(byte[] Data, int Width, int Height, FramePixelFormat Format, DateTimeOffset CapturedAt, string DeviceName);
