namespace EdgeAgent.Onnx.Quantization;

/// <summary>How an activation's quantization range is chosen from the calibration histogram.</summary>
public enum CalibrationMethod
{
    /// <summary>The observed minimum and maximum: no clipping, coarsest steps when there are outliers.</summary>
    MinMax,

    /// <summary>Clip |x| at a high percentile (99.99 by default) of the observed values.</summary>
    Percentile,

    /// <summary>Clip |x| where the KL divergence between the float and the quantized distribution is smallest.</summary>
    Entropy,
}
