using Iot.Device.Media;

namespace EdgeAgent.Devices.Camera;

/// <summary>
/// A V4L2 capture device (USB camera over a light box, or a frame grabber on the X-ray unit's
/// video output) read through Iot.Device.Media.VideoDevice. Each capture takes one still frame.
/// </summary>
public sealed class V4l2FrameSource : IFrameSource
{
    private readonly VideoDevice _device;
    private readonly CameraOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    private V4l2FrameSource(VideoDevice device, CameraOptions options, TimeProvider timeProvider)
    {
        _device = device;
        _options = options;
        _timeProvider = timeProvider;
        Name = options.DevicePath;
    }

    public string Name { get; }

    /// <summary>Opens the device and checks that it offers the configured pixel format.</summary>
    public static V4l2FrameSource Open(CameraOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.DevicePath))
        {
            throw new CameraException(
                $"{options.DevicePath} does not exist (configured by {CameraOptions.SectionName}:DeviceIndex). " +
                "Check that the camera or grabber is plugged in (`v4l2-ctl --list-devices`).");
        }

        var settings = new VideoConnectionSettings(
            options.DeviceIndex,
            ((uint)options.Width, (uint)options.Height),
            ToV4l2(options.PixelFormat));
        VideoDevice device;
        try
        {
            device = VideoDevice.Create(settings);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new CameraException(
                $"{options.DevicePath} could not be opened: {ex.Message} (is the service user in the 'video' group?)", ex);
        }

        try
        {
            var offered = device.GetSupportedPixelFormats().ToList();
            if (offered.Count > 0 && !offered.Contains(settings.PixelFormat))
            {
                throw new CameraException(
                    $"{options.DevicePath} does not offer {options.PixelFormat} " +
                    $"(configured by {CameraOptions.SectionName}:PixelFormat); it offers {string.Join(", ", offered)}.");
            }
        }
        catch
        {
            device.Dispose();
            throw;
        }

        return new V4l2FrameSource(device, options, timeProvider);
    }

    public async ValueTask<RawFrame> CaptureAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            // VideoDevice.Capture blocks in ioctl/read; keep it off the caller's thread.
            var data = await Task.Run(
                () =>
                {
                    try
                    {
                        return _device.Capture();
                    }
                    catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
                    {
                        throw new CameraException($"{Name}: capture failed: {ex.Message}", ex);
                    }
                },
                cancellationToken);
            if (data is null || data.Length == 0)
            {
                throw new CameraException($"{Name}: the device returned an empty frame.");
            }

            return new RawFrame(data, _options.Width, _options.Height, _options.PixelFormat, _timeProvider.GetUtcNow(), Name);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public void Dispose()
    {
        _device.Dispose();
        _oneAtATime.Dispose();
    }

    private static VideoPixelFormat ToV4l2(FramePixelFormat format) => format switch
    {
        FramePixelFormat.Yuyv => VideoPixelFormat.YUYV,
        FramePixelFormat.Mjpeg => VideoPixelFormat.MJPEG,
        FramePixelFormat.Grey => VideoPixelFormat.GREY,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown pixel format."),
    };
}
