using EdgeAgent.Cli;
using EdgeAgent.Models;
using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Tests;

/// <summary>`edge-agent model inspect` reports the Grad-CAM output of a package, with or without the model's Grad-CAM metadata.</summary>
public sealed class ModelInspectCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("edge-agent-inspect-").FullName;

    [Fact]
    public void A_package_with_a_cam_output_reports_its_target_and_cam()
    {
        var package = Path.Combine(root, "pkg");
        FixturePackages.Write(package, FixtureKind.Lstm, size: 32);

        var (code, text) = Inspect(package);

        Assert.Equal(0, code);
        Assert.Contains("Grad-CAM  target features (Nchw), scores logits, output cam", text, StringComparison.Ordinal);
        Assert.Contains("cam: float [N, 3, 16, 16]  <- gradient output (Grad-CAM)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Grad-CAM  none", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cam_model_stripped_of_its_metadata_falls_back_to_the_manifest()
    {
        var original = Path.Combine(root, "pkg");
        var manifest = FixturePackages.Write(original, FixtureKind.Lstm, size: 32);
        // What an optimiser that rewrites the model without metadata_props leaves: the same graph, no Grad-CAM keys.
        var model = OnnxModelFile.Load(Path.Combine(original, "model.onnx"));
        model.MetadataProps.Clear();
        var stripped = Path.Combine(root, "stripped");
        new ModelPackageWriter(manifest with { Sha256 = "" }).WithModel(model).WriteFolder(stripped);
        Assert.Null(ModelInspector.Describe(model).CamOutput);

        var (code, text) = Inspect(stripped);

        Assert.Equal(0, code);
        Assert.Contains("Grad-CAM  target features (layout not recorded), scores logits, output cam  (from manifest.json", text, StringComparison.Ordinal);
        Assert.Contains("cam: float [N, 3, 16, 16]  <- gradient output (Grad-CAM)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_package_without_a_cam_output_says_none()
    {
        var package = Path.Combine(root, "nocam");
        FixturePackages.Write(package, FixtureKind.Lstm, size: 32, withCam: false);

        var (code, text) = Inspect(package);

        Assert.Equal(0, code);
        Assert.Contains("Grad-CAM  none", text, StringComparison.Ordinal);
    }

    private static (int Code, string Text) Inspect(string package)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = ModelInspectCommand.Run(package, output, error);
        return (code, output + error.ToString());
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
