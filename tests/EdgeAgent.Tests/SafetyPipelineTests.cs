using System.Text.Json;
using EdgeAgent.Cli;
using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Inference.Safety;
using EdgeAgent.Models;
using EdgeAgent.Pipeline;
using SkiaSharp;

namespace EdgeAgent.Tests;

/// <summary>The input-quality gate and OOD status in the running agent (real folder pipeline, real ONNX session).</summary>
public sealed class SafetyPipelineTests
{
    private static byte[] GreyPng(int size, Func<int, float> pixel)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Gray8, SKAlphaType.Opaque));
        var bytes = new byte[size * size];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)Math.Clamp(MathF.Round(pixel(i)), 0, 255);
        }

        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [Fact]
    public async Task A_blank_frame_is_published_as_rejected_with_a_reason_and_a_chest_phantom_is_diagnosed_with_an_ood_score()
    {
        await using var agent = AgentHarness.Create();
        agent.Settings["Safety:QualityGate"] = "true";
        await agent.StartAsync();
        var chest = new PhantomGenerator(256).Generate(PhantomClass.Normal, 11).Image;
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "blank.png"), GreyPng(256, _ => 128));
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "chest.png"), GreyPng(256, i => chest.Pixels[i]));

        await agent.WaitForOutcomesAsync(2);

        // A refusal is a stored result (results folder and outbox), not a silent drop and not a quarantine.
        Assert.All(agent.Monitor.Outcomes, o => Assert.Equal(InputOutcomeKind.Diagnosed, o.Kind));
        Assert.False(Directory.Exists(agent.Failed) && Directory.GetFiles(agent.Failed).Length > 0);
        var results = agent.ResultJsons().Select(f => JsonDocument.Parse(File.ReadAllBytes(f))).ToList();
        try
        {
            var blank = Assert.Single(results, r => r.RootElement.GetProperty("input").GetProperty("fileName").GetString() == "blank.png").RootElement;
            Assert.Equal("rejected", blank.GetProperty("status").GetString());
            Assert.StartsWith("Image is blank or nearly uniform", Assert.Single(blank.GetProperty("reasons").EnumerateArray()).GetString(), StringComparison.Ordinal);
            Assert.False(blank.TryGetProperty("label", out var label) && label.ValueKind != JsonValueKind.Null);

            var diagnosed = Assert.Single(results, r => r.RootElement.GetProperty("input").GetProperty("fileName").GetString() == "chest.png").RootElement;
            // The fixture package has no OOD threshold: status ok, the score reported, and a note that it was not applied.
            Assert.Equal("ok", diagnosed.GetProperty("status").GetString());
            Assert.True(double.IsFinite(diagnosed.GetProperty("oodScore").GetDouble()));
            Assert.Contains(diagnosed.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("no out-of-distribution threshold", StringComparison.Ordinal));
        }
        finally
        {
            results.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public void Classify_json_reports_status_reasons_and_ood_score()
    {
        var root = Directory.CreateTempSubdirectory("edge-agent-safety-").FullName;
        try
        {
            var model = Path.Combine(root, "model");
            FixturePackages.Write(model, FixtureKind.Lstm, size: 32);
            var blank = Path.Combine(root, "blank.png");
            var chest = Path.Combine(root, "chest.png");
            var phantom = new PhantomGenerator(256).Generate(PhantomClass.Covid, 5).Image;
            File.WriteAllBytes(blank, GreyPng(256, _ => 30));
            File.WriteAllBytes(chest, GreyPng(256, i => phantom.Pixels[i]));
            var output = new StringWriter();
            var code = ClassifyCommand.Run([new FileInfo(blank), new FileInfo(chest)], model, asJson: true, null, output, new StringWriter(), new SafetyOptions());

            Assert.Equal(Hosting.ExitCodes.Failure, code);
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
            Assert.Equal(2, lines.Count);
            Assert.Equal("rejected", lines[0].GetProperty("status").GetString());
            Assert.StartsWith("Image is blank", lines[0].GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
            Assert.Equal("ok", lines[1].GetProperty("status").GetString());
            Assert.True(double.IsFinite(lines[1].GetProperty("oodScore").GetDouble()));
            Assert.Equal(JsonValueKind.Array, lines[1].GetProperty("reasons").ValueKind);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_bad_safety_setting_stops_start_up_naming_the_key()
    {
        await using var agent = AgentHarness.Create();
        agent.Settings["Safety:MaxBrightFraction"] = "2";
        var (exitCode, errors) = await agent.TryStartAsync();
        Assert.NotNull(exitCode);
        Assert.Contains("Safety:MaxBrightFraction", errors, StringComparison.Ordinal);
    }
}
