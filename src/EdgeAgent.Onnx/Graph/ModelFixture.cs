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
}
