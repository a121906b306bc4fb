using System.Globalization;
using EdgeAgent.Onnx.Packaging;
using Onnx;

namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// A seeded, untrained model made by <see cref="ModelFixtures"/> for tests and benchmarks,
/// with the tensor names a caller needs. Never a diagnostic model.
/// </summary>
public sealed class ModelFixture
{
    public required string Name { get; init; }
    public required ModelProto Model { get; init; }
    public required ulong Seed { get; init; }

    /// <summary>The image input, float [N, Channels, Height, Width] with a dynamic batch N.</summary>
    public required string InputName { get; init; }
    public required int Channels { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }

    /// <summary>The last convolutional activation [N, C, H, W]: the Grad-CAM target.</summary>
    public required string FeatureMapName { get; init; }

    /// <summary>Shape of the feature map without the batch: C, H, W.</summary>
    public required IReadOnlyList<int> FeatureMapShape { get; init; }

    /// <summary>Pre-softmax scores [N, classes].</summary>
    public string LogitsName { get; init; } = "logits";

    /// <summary>Softmax of the logits [N, classes].</summary>
    public string ProbabilitiesName { get; init; } = "probabilities";

    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Float values in the initializers (weights, biases, BatchNorm statistics).</summary>
    public required long ParameterCount { get; init; }

    /// <summary>
    /// The manifest for this fixture: trained = false, a description that says it is seeded and untrained,
    /// ImageNet normalisation (RGB, scale 1/255), the feature map as target layer. Sha256 is filled by the writer.
    /// </summary>
    public ModelManifest CreateManifest(string version = "0.1.0") => new()
    {
        Name = Name,
        Version = version,
        Labels = Labels,
        Input = new InputSpec
        {
            Name = InputName,
            Width = Width,
            Height = Height,
            Channels = ChannelOrder.Rgb,
            Scale = 1f / 255f,
            Mean = [0.485f, 0.456f, 0.406f],
            Std = [0.229f, 0.224f, 0.225f],
        },
        Outputs = new OutputSpec { Logits = LogitsName, Probabilities = ProbabilitiesName },
        TargetLayer = FeatureMapName,
        Precision = "fp32",
        Sha256 = new string('0', 64),
        Trained = false,
        Description = string.Create(CultureInfo.InvariantCulture,
            $"UNTRAINED seeded test fixture '{Name}' (seed {Seed}, {ParameterCount} parameters): random weights, not a diagnostic model."),
    };

    /// <summary>Writes the fixture as a model package (a folder, or a zip when <paramref name="zip"/>); returns the manifest written.</summary>
    public ModelManifest WritePackage(string path, bool zip = false, string version = "0.1.0")
    {
        var writer = new ModelPackageWriter(CreateManifest(version)).WithModel(Model);
        return zip ? writer.WriteZip(path) : writer.WriteFolder(path);
    }
}
