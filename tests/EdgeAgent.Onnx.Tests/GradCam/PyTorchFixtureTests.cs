using System.Text.Json;
using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>
/// Models really exported by torch.onnx.export (tests/fixtures/pytorch/make_fixtures.py, PyTorch 1.13) against the
/// Grad-CAM PyTorch's autograd computed for them. No PyTorch is needed here: the script's outputs are committed.
/// </summary>
public sealed class PyTorchFixtureTests
{
    public static TheoryData<string> Models() => new("torch_cnn_lstm", "torch_cnn_gru");

    [Theory]
    [MemberData(nameof(Models))]
    public void Cam_of_a_pytorch_export_matches_autograd(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "pytorch");
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, $"{name}.reference.json")));
        var root = reference.RootElement;
        var model = OnnxModelFile.Load(Path.Combine(folder, root.GetProperty("model").GetString()!));

        var result = GradCamTransform.Apply(model);
        Assert.Equal(root.GetProperty("target").GetString(), result.TargetTensor);
        Assert.Equal("logits", result.ScoreTensor);
        Assert.Equal("probabilities", result.ProbabilitiesOutput);

        var shape = root.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var input = root.GetProperty("input").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var outs = GradCamTransformTests.Run(result.Model, input, shape, "logits", result.CamOutput);

        // ORT (MLAS) and PyTorch (its own CPU kernels) both run float32 but sum in different orders: logits agree
        // to ~1e-6 relative; CAMs chain ~64 recurrent steps and 8 channels, ~1e-5 relative. Tolerances are 10x that.
        var logits = root.GetProperty("logits").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        AssertClose(logits, outs[0].Data, 1e-5, "logits");
        var camShape = root.GetProperty("cam_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(camShape, outs[1].Shape);
        var cam = root.GetProperty("cam").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Contains(cam, v => v > 0);
        AssertClose(cam, outs[1].Data, 1e-4, "cam");
    }

    private static void AssertClose(double[] expected, double[] actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        var err = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(err <= relative * scale, $"{what}: max error {err:E2} vs scale {scale:E2}");
    }
}
