namespace EdgeAgent.Training.Calibration;

/// <summary>
/// Temperature scaling (Guo et al. 2017): one scalar T fitted on validation logits by minimising the negative
/// log-likelihood of softmax(z / T). The NLL is convex in the inverse temperature b = 1/T (a log-sum-exp of linear
/// functions of b minus a linear term), so a golden-section search over b finds the global minimum. That minimum
/// exists only if some validation sample is misclassified (or tied): when every true-class logit is the strict
/// maximum, each sample's NLL falls without bound as T -> 0, the fit would merely return the search range's edge
/// and sharpen the model into over-confidence on the strength of a few dozen images, so T stays 1 then.
/// </summary>
public static class TemperatureScaling
{
    /// <summary>Search range of the inverse temperature: T from 0.05 to 20 covers any sensible model.</summary>
    private const double MinInverse = 0.05, MaxInverse = 20.0;

    /// <summary>The temperature minimising validation NLL; 1 when the set is separable (no minimum exists).</summary>
    public static double Fit(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels)
    {
        Check(logits, labels);
        if (IsSeparable(logits, labels))
        {
            return 1.0;
        }

        var phi = (Math.Sqrt(5) - 1) / 2;
        double lo = MinInverse, hi = MaxInverse;
        double a = hi - (phi * (hi - lo)), b = lo + (phi * (hi - lo));
        double fa = Nll(logits, labels, a), fb = Nll(logits, labels, b);
        // Each step shrinks the bracket by 0.618; 80 steps take 20 down to ~1e-15, below double resolution of b.
        for (var i = 0; i < 80; i++)
        {
            if (fa < fb)
            {
                hi = b;
                b = a;
                fb = fa;
                a = hi - (phi * (hi - lo));
                fa = Nll(logits, labels, a);
            }
            else
            {
                lo = a;
                a = b;
                fa = fb;
                b = lo + (phi * (hi - lo));
                fb = Nll(logits, labels, b);
            }
        }

        return 1.0 / ((lo + hi) / 2);
    }

    /// <summary>True when every sample's true-class logit is strictly larger than all its others.</summary>
    public static bool IsSeparable(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels)
    {
        Check(logits, labels);
        return logits.Select((z, i) => z.Where((_, j) => j != labels[i]).All(v => v < z[labels[i]])).All(ok => ok);
    }

    /// <summary>Mean negative log-likelihood of the labels under softmax(logits / temperature).</summary>
    public static double NegativeLogLikelihood(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels, double temperature)
    {
        Check(logits, labels);
        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a positive finite number");
        }

        return Nll(logits, labels, 1.0 / temperature);
    }

    /// <summary>softmax(z / T) in double precision.</summary>
    public static double[] Softmax(IReadOnlyList<float> logits, double temperature)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var max = logits.Max() / temperature;
        var exp = logits.Select(z => Math.Exp((z / temperature) - max)).ToArray();
        var sum = exp.Sum();
        return [.. exp.Select(e => e / sum)];
    }

    private static double Nll(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels, double inverse)
    {
        double total = 0;
        for (var i = 0; i < logits.Count; i++)
        {
            var z = logits[i];
            var max = double.MinValue;
            foreach (var v in z)
            {
                max = Math.Max(max, v * inverse);
            }

            double sum = 0;
            foreach (var v in z)
            {
                sum += Math.Exp((v * inverse) - max);
            }

            total += max + Math.Log(sum) - (z[labels[i]] * inverse);
        }

        return total / logits.Count;
    }

    private static void Check(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.Count == 0 || logits.Count != labels.Count)
        {
            throw new ArgumentException($"need one label per logit vector and at least one of each (got {logits.Count} logit vectors, {labels.Count} labels)", nameof(labels));
        }

        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= logits[i].Length)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {labels[i]} of sample {i} is outside 0..{logits[i].Length - 1}");
            }
        }
    }
}
