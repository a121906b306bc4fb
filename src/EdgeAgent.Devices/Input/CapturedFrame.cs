using EdgeAgent.Devices.Camera;
using EdgeAgent.Devices.Frames;
using EdgeAgent.Devices.Quality;
using EdgeAgent.Devices.Triggers;

namespace EdgeAgent.Devices.Input;

/// <summary>A frame taken on request, decoded and judged by the quality gate.</summary>
/// <param name="Request">What asked for it (button, interval, command with its correlation id).</param>
/// <param name="Raw">The device's bytes, e.g. to archive the original JPEG.</param>
/// <param name="Image">Luminance in [0, 1].</param>
/// <param name="Quality">The gate's verdict and measurements.</param>
public sealed record CapturedFrame(CaptureRequest Request, RawFrame Raw, GreyFrame Image, FrameQualityVerdict Quality);
