namespace EdgeAgent.Onnx.Quantization;

/// <summary>Scale and zero point of one quantized activation: x ≈ (q − ZeroPoint)·Scale.</summary>
public readonly record struct QuantizationParameters(float Scale, int ZeroPoint, ActivationType Type)
{
    /// <summary>
    /// Parameters covering <paramref name="range"/> (widened to contain 0 so that zero is exact, as padding needs).
    /// uint8: asymmetric over [min, max] in 255 steps. int8: symmetric, max|x| in 127 steps, zero point 0.
    /// </summary>
    public static QuantizationParameters From(TensorRange range, ActivationType type)
    {
        var min = Math.Min(range.Min, 0f);
        var max = Math.Max(range.Max, 0f);
        if (type == ActivationType.Int8)
        {
            var absMax = Math.Max(-min, max);
            return new QuantizationParameters(absMax > 0 ? absMax / 127f : 1f, 0, type);
        }

        if (max - min <= 0)
        {
            return new QuantizationParameters(1f, 0, type);
        }

        var scale = (max - min) / 255f;
        var zeroPoint = (int)Math.Clamp(Math.Round(-min / scale), 0, 255);
        return new QuantizationParameters(scale, zeroPoint, type);
    }

    public int QMin => Type == ActivationType.UInt8 ? 0 : -128;

    public int QMax => Type == ActivationType.UInt8 ? 255 : 127;
}
