using System.Text.Json;
using EdgeAgent.Devices.Camera;
using EdgeAgent.Devices.Frames;
using EdgeAgent.Devices.Input;
using EdgeAgent.Devices.Quality;
using EdgeAgent.Devices.Triggers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Tests;

/// <summary>Camera frames through the agent's sink: the devices library's real quality gate, then the folder pipeline.</summary>
public sealed class CameraFrameSinkTests
{
    private static CapturedFrame Frame(FrameQualityGate gate, GreyFrame image, DateTimeOffset at) =>
        new(new CaptureRequest(CaptureTrigger.Button, at), new RawFrame([], image.Width, image.Height, FramePixelFormat.Mjpeg, at, "simulated"), image, gate.Evaluate(image));

    [Fact]
    public async Task An_accepted_frame_is_diagnosed_and_a_black_frame_is_quarantined_with_the_gates_reason()
    {
        await using var agent = AgentHarness.Create();
        await agent.StartAsync();
        var gate = agent.Host!.Services.GetRequiredService<FrameQualityGate>();
        var sink = agent.Host.Services.GetRequiredService<ICapturedFrameSink>();
        var random = new Random(12);
        const int size = 320;
        // A radiograph-like frame: a gradient with sharp-edged bands ("ribs") and noise, so the gate finds it in focus.
        var pixels = new float[size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var ribs = (MathF.Sin(y / 9f) > 0 ? 0.2f : 0f) * MathF.Exp(-MathF.Pow((x - size / 2f) / 90f, 2));
                pixels[(y * size) + x] = Math.Clamp(0.25f + (0.4f * x / size) + ribs + (0.08f * (float)random.NextDouble()), 0f, 1f);
            }
        }

        var good = Frame(gate, new GreyFrame(size, size, pixels), DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var black = Frame(gate, new GreyFrame(size, size, new float[size * size]), DateTimeOffset.Parse("2026-12-07T10:00:05Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(good.Quality.IsAccepted, string.Join("; ", good.Quality.Rejections.Select(r => r.Reason)));
        Assert.False(black.Quality.IsAccepted);

        await sink.OnFrameAcceptedAsync(good, CancellationToken.None);
        await sink.OnFrameRejectedAsync(black, CancellationToken.None);
        await agent.WaitForOutcomesAsync(1);

        var outcome = Assert.Single(agent.Monitor.Outcomes);
        Assert.Equal(InputOutcomeKind.Diagnosed, outcome.Kind);
        Assert.Equal("camera-20261207-100000-000-button.png", outcome.FileName);
        Assert.True(File.Exists(Path.Combine(agent.Results, outcome.ResultId + ".json")));
        var report = Path.Combine(agent.Failed, "camera-20261207-100005-000-button.png.error.json");
        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(report));
        Assert.Equal("quality", json.RootElement.GetProperty("stage").GetString());
        Assert.Contains(black.Quality.Rejections[0].Reason, json.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }
}
