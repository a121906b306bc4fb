using EdgeAgent.Devices.Triggers;

namespace EdgeAgent.Devices.Input;

/// <summary>
/// Implemented by the agent's pipeline: receives every outcome of a capture request, so nothing
/// is silently dropped. Accepted frames go to diagnosis; rejected frames and failed captures are
/// published as results with status "rejected" and the reasons.
/// </summary>
public interface ICapturedFrameSink
{
    ValueTask OnFrameAcceptedAsync(CapturedFrame frame, CancellationToken cancellationToken);

    ValueTask OnFrameRejectedAsync(CapturedFrame frame, CancellationToken cancellationToken);

    /// <param name="reason">What went wrong, naming the device (camera unplugged, corrupt frame, ...).</param>
    ValueTask OnCaptureFailedAsync(CaptureRequest request, string reason, CancellationToken cancellationToken);
}
