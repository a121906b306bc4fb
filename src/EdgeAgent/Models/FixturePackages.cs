using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Models;

/// <summary>
/// Writes seeded, untrained model packages (the onnx library's fixtures with the Grad-CAM subgraph appended) for the
/// demo, benchmarks and tests. Their names end in "-untrained" and their manifests say Trained = false.
/// </summary>
public static class FixturePackages
{
    /// <summary>Writes the package into <paramref name="folder"/> and returns its manifest.</summary>
    public static ModelManifest Write(string folder, FixtureKind kind, int size = 64, ulong seed = 1, bool withCam = true)
    {
        var fixture = kind switch
        {
            FixtureKind.Lstm => ModelFixtures.TinyCnnLstm(seed, size),
            FixtureKind.Gru => ModelFixtures.TinyCnnGru(seed, size),
            FixtureKind.Gap => ModelFixtures.TinyCnnGap(seed, size),
            FixtureKind.Vgg19 => ModelFixtures.Vgg19Rnn(seed),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown fixture"),
        };
        var model = fixture.Model;
        string? cam = null;
        if (withCam)
        {
            var transformed = GradCamTransform.Apply(model, new GradCamOptions { TargetTensor = fixture.FeatureMapName });
            model = transformed.Model;
            cam = transformed.CamOutput;
        }

        var manifest = new ModelManifest
        {
            Name = $"{fixture.Name}-untrained",
            Version = "0.1.0",
            Labels = [.. fixture.Labels],
            Input = new InputSpec
            {
                Name = fixture.InputName,
                Width = fixture.Width,
                Height = fixture.Height,
                Channels = ChannelOrder.Rgb,
                Scale = 1f / 255f,
                Mean = [0.485f, 0.456f, 0.406f],
                Std = [0.229f, 0.224f, 0.225f],
            },
            Outputs = new OutputSpec { Logits = fixture.LogitsName, Probabilities = fixture.ProbabilitiesName, Cam = cam },
            TargetLayer = withCam ? fixture.FeatureMapName : null,
            Sha256 = string.Empty, // the writer fills in the hash of the model it writes
            Trained = false,
            Description = $"Seeded UNTRAINED {fixture.Name} fixture (seed {seed}) for tests, demos and benchmarks. It diagnoses nothing.",
        };
        return new ModelPackageWriter(manifest).WithModel(model).WriteFolder(folder);
    }
}
