namespace EdgeAgent.Onnx.GradCam;

/// <summary>Choices for <see cref="GradCamTransform.Apply"/>; every member has a sensible default.</summary>
public sealed record GradCamOptions
{
    /// <summary>Feature map A to explain; null picks the last 4-D Conv/activation/pool output on the path to the scores.</summary>
    public string? TargetTensor { get; init; }

    /// <summary>Pre-softmax class scores [N, K]; null takes the first graph output, or the input of its Softmax.</summary>
    public string? ScoreTensor { get; init; }

    /// <summary>Name of the new output [N, K, H, W].</summary>
    public string CamOutputName { get; init; } = "cam";

    public FeatureLayout TargetLayout { get; init; } = FeatureLayout.Auto;

    /// <summary>Concrete shapes for model inputs with symbolic non-batch dimensions (used by the shape probe only).</summary>
    public IReadOnlyDictionary<string, long[]>? InputShapes { get; init; }

    /// <summary>Also expose the raw gradient [K, N, ...shape(A)] under this output name (tests, diagnostics).</summary>
    public string? GradientOutputName { get; init; }

    /// <summary>How the backward products read large dense-layer weights; the forward graph is never changed.</summary>
    public BackwardWeightStorage BackwardWeights { get; init; } = BackwardWeightStorage.Float32;

    /// <summary>
    /// With int8 backward weights (<see cref="BackwardWeightStorage.SplitInt8"/>, <see cref="BackwardWeightStorage.Int8"/>):
    /// only weights with at least this many elements get the int8 copy. The default (2^22 elements, 16 MB of float32)
    /// keeps it to matrices that cannot stay in a CPU cache between Runs, where the read from memory is what the
    /// product costs.
    /// </summary>
    public long Int8MinElements { get; init; } = 1L << 22;
}
