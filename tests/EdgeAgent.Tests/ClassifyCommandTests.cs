using System.Diagnostics;
using System.Text.Json;
using EdgeAgent.Cli;
using EdgeAgent.Models;
using SkiaSharp;

namespace EdgeAgent.Tests;

/// <summary>`edge-agent classify --json` on files written here and by dcmtk, through the tiny CNN-LSTM fixture with its Grad-CAM subgraph.</summary>
public sealed class ClassifyCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("edge-agent-classify-").FullName;
    private readonly string model;

    public ClassifyCommandTests()
    {
        model = Path.Combine(root, "model");
        FixturePackages.Write(model, FixtureKind.Lstm, size: 32);
    }

    private (int Code, List<JsonElement> Lines, string Errors) Classify(params string[] files)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = ClassifyCommand.Run([.. files.Select(f => new FileInfo(f))], model, asJson: true, null, output, error);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (code, lines, error.ToString());
    }

    [Fact]
    public void Png_jpeg_and_a_dcmtk_dicom_classify_with_probabilities_timings_and_cams()
    {
        var png = Path.Combine(root, "chest.png");
        var jpeg = Path.Combine(root, "chest.jpg");
        var dicom = Path.Combine(root, "chest.dcm");
        File.WriteAllBytes(png, TestImages.GreyGradient(1, 96, SKEncodedImageFormat.Png));
        File.WriteAllBytes(jpeg, TestImages.GreyGradient(2, 96, SKEncodedImageFormat.Jpeg));
        RunImg2Dcm(jpeg, dicom);

        var (code, lines, errors) = Classify(png, jpeg, dicom);

        Assert.True(code == 0, errors);
        Assert.Equal(3, lines.Count);
        foreach (var line in lines)
        {
            var probabilities = line.GetProperty("probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            Assert.Equal(["covid", "pneumonia", "normal"], probabilities.Keys);
            // Probabilities come from a float32 Softmax: they sum to 1 within a few float32 ulps.
            Assert.Equal(1.0, probabilities.Values.Sum(), 1e-5);
            Assert.Equal(probabilities.MaxBy(p => p.Value).Key, line.GetProperty("label").GetString());
            Assert.True(line.GetProperty("timings").GetProperty("inference").GetDouble() > 0);
            Assert.False(line.GetProperty("model").GetProperty("trained").GetBoolean());
            var cams = line.GetProperty("cams");
            foreach (var label in probabilities.Keys)
            {
                var cam = cams.GetProperty(label);
                var width = cam.GetProperty("width").GetInt32();
                var height = cam.GetProperty("height").GetInt32();
                // The tiny fixture's target feature map is [16, size/2, size/2] for a 32 px input.
                Assert.Equal(16, width);
                Assert.Equal(16, height);
                var data = cam.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToList();
                Assert.Equal(width * height, data.Count);
                Assert.All(data, v => Assert.True(v >= 0, "Grad-CAM is ReLU'd, never negative"));
            }
        }

        Assert.EndsWith("chest.dcm", lines[2].GetProperty("file").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_cannot_be_classified_gives_an_error_object_and_a_non_zero_exit()
    {
        var good = Path.Combine(root, "good.png");
        var text = Path.Combine(root, "notes.png");
        File.WriteAllBytes(good, TestImages.Noise(3));
        File.WriteAllText(text, "not an image");

        var (code, lines, _) = Classify(good, text, Path.Combine(root, "missing.png"));

        Assert.Equal(1, code);
        Assert.Equal(3, lines.Count);
        Assert.True(lines[0].TryGetProperty("label", out _));
        Assert.EndsWith("notes.png", lines[1].GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Contains("notes.png", lines[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(lines[1].TryGetProperty("label", out _));
        Assert.True(lines[2].TryGetProperty("error", out _));
    }

    [Fact]
    public void The_executable_prints_only_json_on_stdout()
    {
        var png = Path.Combine(root, "cli.png");
        File.WriteAllBytes(png, TestImages.Noise(4));
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "edge-agent.dll"), "classify", png, "--model", model, "--json", "--no-quality-gate"]) // 48-pixel noise: the gate would refuse it
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        Assert.Equal(png, json.RootElement.GetProperty("file").GetString());
        Assert.Contains("UNTRAINED", stderr, StringComparison.Ordinal);
    }

    private static void RunImg2Dcm(string jpeg, string dicom)
    {
        var start = new ProcessStartInfo("img2dcm", [jpeg, dicom]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("img2dcm (dcmtk) is needed; ./test.sh installs it");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"img2dcm failed: {error}");
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
