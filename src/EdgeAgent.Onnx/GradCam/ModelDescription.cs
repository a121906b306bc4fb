namespace EdgeAgent.Onnx.GradCam;

/// <summary>What <see cref="ModelInspector"/> reports about a model.</summary>
public sealed record ModelDescription
{
    public required IReadOnlyList<TensorDescription> Inputs { get; init; }
    public required IReadOnlyList<TensorDescription> Outputs { get; init; }
    public required long Opset { get; init; }
    public required int NodeCount { get; init; }

    /// <summary>Nodes the Grad-CAM transform appended (named under <see cref="MetadataKeys.NodePrefix"/>).</summary>
    public required int GradientNodeCount { get; init; }

    /// <summary>Op type -> count over the original (non-gradient) nodes.</summary>
    public required IReadOnlyDictionary<string, int> OpCounts { get; init; }

    /// <summary>Op type -> count over the appended gradient nodes.</summary>
    public required IReadOnlyDictionary<string, int> GradientOpCounts { get; init; }

    public string? TargetTensor { get; init; }
    public string? ScoreTensor { get; init; }
    public string? CamOutput { get; init; }
    public string? TargetLayout { get; init; }

    /// <summary>True when the Grad-CAM facts come from the package manifest because the model carries no Grad-CAM metadata.</summary>
    public bool FromManifest { get; init; }
}
