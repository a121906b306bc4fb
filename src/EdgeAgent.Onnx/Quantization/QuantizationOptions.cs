namespace EdgeAgent.Onnx.Quantization;

/// <summary>Choices for <see cref="ModelQuantizer"/>; every member has a default suited to the x64 CPU provider.</summary>
public sealed record QuantizationOptions
{
    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    /// <summary>Percentile of |x| kept by <see cref="CalibrationMethod.Percentile"/>.</summary>
    public double Percentile { get; init; } = 99.99;

    /// <summary>One weight scale per output channel (Conv, Gemm) instead of one per tensor.</summary>
    public bool PerChannel { get; init; } = true;

    public ActivationType Activations { get; init; } = ActivationType.UInt8;

    /// <summary>Fold Conv + BatchNormalization pairs before quantizing.</summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>Nodes (by name) left in float.</summary>
    public IReadOnlySet<string> ExcludedNodes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Op types left in float (e.g. "Gemm").</summary>
    public IReadOnlySet<string> ExcludedOpTypes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Graph outputs whose own subgraph stays float (the Grad-CAM output): nodes that only feed these are never
    /// quantized, but they read the dequantized tensors of the quantized forward.
    /// </summary>
    public IReadOnlySet<string> FloatOutputs { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// In the float CAM subgraph, compute the backward products through int8 dense weights (MatMul(g, W)) with
    /// dynamic uint8 quantization of g and an integer product, instead of in float from a dequantized weight copy.
    /// </summary>
    public bool DynamicCamProducts { get; init; } = true;

    /// <summary>Bins of each streaming |x| histogram (memory: 8 bytes per bin per calibrated tensor).</summary>
    public int HistogramBins { get; init; } = 2048;

    /// <summary>ONNX Runtime intra-op threads for calibration (0 = its default).</summary>
    public int Threads { get; init; }
}
