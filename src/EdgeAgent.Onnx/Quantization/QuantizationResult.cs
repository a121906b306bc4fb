using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>The QDQ model and what the quantizer decided.</summary>
public sealed record QuantizationResult
{
    public required ModelProto Model { get; init; }

    public required int CalibrationSamples { get; init; }

    public required int FoldedBatchNorms { get; init; }

    public required int QuantizedWeights { get; init; }

    /// <summary>Calibrated range of every tensor that got its own scale.</summary>
    public required IReadOnlyDictionary<string, TensorRange> Ranges { get; init; }

    public required IReadOnlyDictionary<string, QuantizationParameters> Parameters { get; init; }

    /// <summary>Each quantized activation of the float graph -> the dequantized tensor of the same value in <see cref="Model"/>.</summary>
    public required IReadOnlyDictionary<string, string> DequantizedActivations { get; init; }
}
