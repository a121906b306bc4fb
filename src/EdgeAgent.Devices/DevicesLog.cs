using EdgeAgent.Devices.Triggers;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Devices;

/// <summary>Every log message of the devices library, source-generated.</summary>
internal static partial class DevicesLog
{
    [LoggerMessage(1, LogLevel.Information, "Camera input started on {Device}")]
    public static partial void CameraInputStarted(ILogger logger, string device);

    [LoggerMessage(2, LogLevel.Warning, "Capture from {Device} ({Trigger}) failed: {Reason}")]
    public static partial void CaptureFailed(ILogger logger, string device, CaptureTrigger trigger, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Frame from {Device} rejected: {Reasons}")]
    public static partial void FrameRejected(ILogger logger, string device, string reasons);

    [LoggerMessage(4, LogLevel.Error, "The pipeline failed on a frame from {Device}; the next capture is served as usual")]
    public static partial void SinkFailed(ILogger logger, string device, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "{Trigger} capture request dropped: {Capacity} requests are already waiting")]
    public static partial void CaptureRequestDropped(ILogger logger, CaptureTrigger trigger, int capacity);

    [LoggerMessage(6, LogLevel.Information, "systemd watchdog not requested (no WatchdogSec or not started by systemd); not pinging")]
    public static partial void WatchdogInactive(ILogger logger);

    [LoggerMessage(7, LogLevel.Error, "Pipeline unhealthy ({Problem}): watchdog pings withheld; systemd restarts the service after {Timeout} unless it recovers")]
    public static partial void WatchdogWithheld(ILogger logger, string problem, TimeSpan timeout);

    [LoggerMessage(8, LogLevel.Information, "Pipeline healthy again: watchdog pings resumed")]
    public static partial void PipelineRecovered(ILogger logger);
}
