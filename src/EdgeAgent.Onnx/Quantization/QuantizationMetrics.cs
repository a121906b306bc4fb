namespace EdgeAgent.Onnx.Quantization;

/// <summary>Error measures between a float tensor and its quantized counterpart.</summary>
public static class QuantizationMetrics
{
    /// <summary>Pearson correlation; NaN when either side is constant (correlation undefined).</summary>
    public static double Pearson(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length || a.Length == 0)
        {
            throw new ArgumentException($"Pearson needs two non-empty series of equal length ({a.Length} vs {b.Length}).");
        }

        double meanA = 0, meanB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            meanA += a[i];
            meanB += b[i];
        }

        meanA /= a.Length;
        meanB /= b.Length;
        double cov = 0, varA = 0, varB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var da = a[i] - meanA;
            var db = b[i] - meanB;
            cov += da * db;
            varA += da * da;
            varB += db * db;
        }

        return varA > 0 && varB > 0 ? cov / Math.Sqrt(varA * varB) : double.NaN;
    }

    /// <summary>Signal-to-quantization-noise ratio in dB: 10·log10(Σx² / Σ(x − x̂)²); +∞ when identical.</summary>
    public static double SqnrDecibels(double signalEnergy, double noiseEnergy) =>
        noiseEnergy <= 0 ? double.PositiveInfinity : 10 * Math.Log10(signalEnergy / noiseEnergy);

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
