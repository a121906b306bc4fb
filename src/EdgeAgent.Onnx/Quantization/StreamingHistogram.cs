namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Bounded-memory summary of one activation over the calibration set: exact min and max plus a histogram of |x|
/// with a fixed number of bins over [0, limit). When a larger |x| arrives the limit doubles and neighbouring bins
/// merge pairwise, so memory never grows and at least half of the bins always cover the observed values.
/// </summary>
public sealed class StreamingHistogram
{
    private readonly long[] bins;
    private double limit;

    public StreamingHistogram(int binCount = 2048)
    {
        if (binCount < 256 || binCount % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(binCount), binCount, "Use an even bin count of at least 256.");
        }

        bins = new long[binCount];
    }

    public float Min { get; private set; } = float.PositiveInfinity;

    public float Max { get; private set; } = float.NegativeInfinity;

    public long Count { get; private set; }

    public int BinCount => bins.Length;

    /// <summary>Upper edge of the last bin (0 until a non-zero value has been seen).</summary>
    public double Limit => limit;

    public void Add(ReadOnlySpan<float> values)
    {
        var absMax = 0f;
        var min = Min;
        var max = Max;
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                throw new InvalidDataException("The calibration run produced a non-finite activation (NaN or infinity).");
            }

            min = MathF.Min(min, v);
            max = MathF.Max(max, v);
            absMax = MathF.Max(absMax, MathF.Abs(v));
        }

        Min = min;
        Max = max;
        Grow(absMax);
        var perBin = limit > 0 ? bins.Length / limit : 0;
        foreach (var v in values)
        {
            var index = (int)(MathF.Abs(v) * perBin);
            bins[Math.Min(index, bins.Length - 1)]++;
        }

        Count += values.Length;
    }

    /// <summary>The interval to quantize over for <paramref name="method"/>.</summary>
    /// <param name="levels">Quantization levels on the non-negative side (128 for int8 or signed data, 256 for uint8 of non-negative data); used by Entropy.</param>
    public TensorRange Range(CalibrationMethod method, double percentile = 99.99, int levels = 128)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("The histogram is empty: no calibration values were added.");
        }

        if (method == CalibrationMethod.MinMax || limit == 0)
        {
            return new TensorRange(Min, Max);
        }

        var threshold = method switch
        {
            CalibrationMethod.Percentile => PercentileThreshold(percentile),
            CalibrationMethod.Entropy => EntropyThreshold(levels),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown calibration method."),
        };
        return new TensorRange(Math.Max(Min, -(float)threshold), Math.Min(Max, (float)threshold));
    }

    /// <summary>Upper edge of the bin where the cumulative count of |x| reaches <paramref name="percentile"/> percent.</summary>
    private double PercentileThreshold(double percentile)
    {
        if (percentile is <= 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be in (0, 100].");
        }

        var wanted = percentile / 100.0 * Count;
        long cumulative = 0;
        for (var i = 0; i < bins.Length; i++)
        {
            cumulative += bins[i];
            if (cumulative >= wanted)
            {
                return (i + 1) * limit / bins.Length;
            }
        }

        return limit;
    }

    /// <summary>
    /// The clipping threshold minimising KL(P || Q): P = the full |x| histogram; Q = what quantizing with that
    /// threshold leaves of it: the bins below the edge (with the clipped tail piled onto the last one) merged into
    /// <paramref name="levels"/> quantization bins and spread back evenly over their non-zero bins, nothing beyond the
    /// edge. Clipped mass is priced at a floor probability, so rare outliers are cut while a sizeable tail is not;
    /// comparing against the clipped P instead (as often done) prices clipping at zero and, on spiky data such as
    /// 8-bit image inputs, collapses the range.
    /// </summary>
    private double EntropyThreshold(int levels)
    {
        var width = limit / bins.Length;
        var last = bins.Length - 1;
        while (last > 0 && bins[last] == 0)
        {
            last--;
        }

        if (last + 1 <= levels)
        {
            return (last + 1) * width;
        }

        var best = double.PositiveInfinity;
        var bestEdge = last + 1;
        var clipped = new double[last + 1];
        var q = new double[last + 1];
        long tail = 0;

        // Walk candidate edges from the widest down so the clipped tail accumulates incrementally.
        for (var edge = last + 1; edge >= levels; edge--)
        {
            for (var j = 0; j < edge; j++)
            {
                clipped[j] = bins[j];
            }

            clipped[edge - 1] += tail;
            for (var level = 0; level < levels; level++)
            {
                var start = (int)((long)level * edge / levels);
                var end = (int)((long)(level + 1) * edge / levels);
                double sum = 0;
                var nonZero = 0;
                for (var j = start; j < end; j++)
                {
                    sum += clipped[j];
                    if (clipped[j] > 0)
                    {
                        nonZero++;
                    }
                }

                for (var j = start; j < end; j++)
                {
                    q[j] = clipped[j] > 0 ? sum / nonZero : 0;
                }
            }

            Array.Clear(q, edge, q.Length - edge);
            var divergence = Divergence(q, last + 1);
            if (divergence < best)
            {
                best = divergence;
                bestEdge = edge;
            }

            tail += bins[edge - 1];
        }

        return bestEdge * width;
    }

    /// <summary>KL(bins || q) over the first <paramref name="length"/> bins; both have total mass <see cref="Count"/>.</summary>
    private double Divergence(double[] q, int length)
    {
        // Floor for Q where quantization leaves no mass (values beyond the threshold): clipping a fraction p of the
        // values then costs about p·ln(p / 1e-12), cheap for rare outliers, dear for a real tail.
        const double floor = 1e-12;
        double kl = 0;
        for (var j = 0; j < length; j++)
        {
            if (bins[j] > 0)
            {
                var pj = bins[j] / (double)Count;
                kl += pj * Math.Log(pj / Math.Max(q[j] / Count, floor));
            }
        }

        return kl;
    }

    private void Grow(float absMax)
    {
        if (absMax <= 0)
        {
            return;
        }

        if (limit == 0)
        {
            // Start with a little headroom so the first larger batch does not force an immediate merge.
            limit = absMax * 1.0001;
            return;
        }

        while (absMax >= limit)
        {
            var half = bins.Length / 2;
            for (var i = 0; i < half; i++)
            {
                bins[i] = bins[2 * i] + bins[(2 * i) + 1];
            }

            Array.Clear(bins, half, half);
            limit *= 2;
        }
    }
}
