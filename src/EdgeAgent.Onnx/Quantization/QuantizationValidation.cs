namespace EdgeAgent.Onnx.Quantization;

/// <summary>How closely the int8 model follows the float model on a set of samples.</summary>
public sealed record QuantizationValidation
{
    public required int Samples { get; init; }

    /// <summary>Fraction of samples whose top-1 class is the same in both models.</summary>
    public required double Top1Agreement { get; init; }

    /// <summary>Per class (samples with a known label only).</summary>
    public required IReadOnlyList<ClassAccuracy> PerClass { get; init; }

    /// <summary>Mean Pearson correlation of the float and int8 CAM of the float model's top class; null without a CAM output.</summary>
    public double? MeanCamPearson { get; init; }

    /// <summary>Samples that entered the CAM mean (a constant CAM has no correlation and is left out).</summary>
    public int CamSamples { get; init; }

    /// <summary>SQNR (dB) of every quantized activation (and any float tensor asked for) over all samples, worst first.</summary>
    public required IReadOnlyList<LayerSqnr> Layers { get; init; }
}

public sealed record ClassAccuracy(string Label, int Count, double FloatAccuracy, double Int8Accuracy);

/// <summary>
/// SQNR of one tensor: <see cref="Decibels"/> of the int8 model's value against the float model's (everything upstream
/// included); <see cref="LocalDecibels"/> of this tensor's own rounding and clipping alone (NaN for a float tensor).
/// </summary>
public sealed record LayerSqnr(string Tensor, double Decibels, double LocalDecibels = double.NaN);
