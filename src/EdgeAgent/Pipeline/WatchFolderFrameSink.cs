using System.Globalization;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Devices.Input;
using EdgeAgent.Devices.Triggers;
using EdgeAgent.Imaging.Png;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Camera frames join the folder pipeline: an accepted frame is written into the watch folder as a 16-bit grey PNG
/// (as "name.png.part", then renamed, so it is never seen half-written) and from there gets the same ledger,
/// exactly-once, results and outbox as any other input. A frame the quality gate rejects goes to failed/ with the
/// gate's reasons.
/// </summary>
public sealed class WatchFolderFrameSink(AgentPaths paths, IOptions<AgentOptions> agent, TimeProvider clock, ILogger<WatchFolderFrameSink> logger)
    : ICapturedFrameSink
{
    public async ValueTask OnFrameAcceptedAsync(CapturedFrame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var path = Path.Combine(paths.WatchFolder, Name(frame.Request) + ".png");
        await File.WriteAllBytesAsync(path + ".part", Encode(frame), cancellationToken);
        File.Move(path + ".part", path, overwrite: false);
    }

    public async ValueTask OnFrameRejectedAsync(CapturedFrame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var name = Name(frame.Request) + ".png";
        var path = Path.Combine(paths.FailedFolder, name);
        Directory.CreateDirectory(paths.FailedFolder);
        await File.WriteAllBytesAsync(path, Encode(frame), cancellationToken);
        var reason = "The camera frame was not diagnosed: " + string.Join("; ", frame.Quality.Rejections.Select(r => r.Reason)) +
                     ". Check the camera, the light box and the focus, then capture again.";
        var report = new FailureReport
        {
            File = name,
            Reason = reason,
            Stage = "quality",
            Detail = string.Join(", ", frame.Quality.Rejections.Select(r => r.Code)),
            FailedAt = clock.GetUtcNow(),
            DeviceId = agent.Value.DeviceId,
        };
        await File.WriteAllBytesAsync(path + ".error.json", JsonSerializer.SerializeToUtf8Bytes(report, ResultFileJson.Default.FailureReport), cancellationToken);
        AgentLog.Quarantined(logger, name, path, "quality", reason);
    }

    public ValueTask OnCaptureFailedAsync(CaptureRequest request, string reason, CancellationToken cancellationToken)
    {
        AgentLog.CaptureFailed(logger, request.Trigger.ToString(), reason);
        return ValueTask.CompletedTask;
    }

    private static string Name(CaptureRequest request) =>
        $"camera-{request.RequestedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture)}-{request.Trigger.ToString().ToLowerInvariant()}";

    /// <summary>Luminance in [0, 1] as 16-bit grey, so no precision of the frame is lost on the way.</summary>
    private static byte[] Encode(CapturedFrame frame)
    {
        var image = frame.Image;
        var samples = new ushort[image.Pixels.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (ushort)Math.Round(Math.Clamp(image.Pixels[i], 0f, 1f) * ushort.MaxValue);
        }

        return PngWriter.WriteGray16(image.Width, image.Height, samples);
    }
}
