using EdgeAgent.Onnx.Assembly;

namespace EdgeAgent.Training.Training;

/// <summary>
/// Which backbone a run used. Frozen ONNX backbones ("resnet18" and "resnet18-stage3" from the NuGet
/// package, cut at its 512x7x7 or 256x14x14 map, or a user
/// file with its feature tensor) have their features computed once by ONNX Runtime; TorchSharp
/// backbones ("tiny", "resnet18-torch", "vgg19", "densenet121", "inception_v3",
/// "inception_resnet_v2") are trained end to end with the head.
/// </summary>
public sealed record BackboneSpec
{
    public static IReadOnlyList<string> TorchNames { get; } = ["tiny", "resnet18-torch", "vgg19", "densenet121", "inception_v3", "inception_resnet_v2"];

    /// <summary>"resnet18", "resnet18-stage3", "onnx" or one of <see cref="TorchNames"/>.</summary>
    public required string Name { get; init; }
    /// <summary>User backbone file (Name "onnx").</summary>
    public string? OnnxPath { get; init; }
    public string? FeatureTensor { get; init; }
    /// <summary>C, H, W of a user backbone's feature map.</summary>
    public int[]? FeatureShape { get; init; }
    /// <summary>Input side of a user backbone or a TorchSharp backbone.</summary>
    public int InputSize { get; init; } = 224;

    public bool IsFrozenOnnx => Name is "onnx" || ResNet18Cut.ByName(Name) is not null;

    public static BackboneSpec Parse(string name, string? onnxPath, string? featureTensor, int[]? featureShape, int? inputSize)
    {
        var known = ResNet18Cut.All.Select(c => c.Name).Append("onnx").Concat(TorchNames).ToList();
        if (!known.Contains(name))
        {
            throw new ArgumentException($"Unknown backbone '{name}'. Use one of: {string.Join(", ", known)} (\"onnx\" with --backbone-onnx FILE --feature-tensor NAME --feature-shape C,H,W).");
        }

        if (name == "onnx" && (onnxPath is null || featureTensor is null || featureShape is not { Length: 3 }))
        {
            throw new ArgumentException("Backbone 'onnx' needs --backbone-onnx FILE, --feature-tensor NAME and --feature-shape C,H,W.");
        }

        return new BackboneSpec
        {
            Name = name,
            OnnxPath = onnxPath is null ? null : Path.GetFullPath(onnxPath),
            FeatureTensor = featureTensor,
            FeatureShape = featureShape,
            InputSize = inputSize ?? name switch
            {
                "tiny" => 64,
                "inception_v3" or "inception_resnet_v2" => 299, // the Inception networks' native size: 8x8 feature maps
                _ => 224,
            },
        };
    }
}
