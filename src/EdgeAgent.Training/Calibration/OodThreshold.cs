namespace EdgeAgent.Training.Calibration;

/// <summary>Choosing and judging an out-of-distribution score threshold (higher score = more unusual).</summary>
public static class OodThreshold
{
    /// <summary>
    /// The smallest observed in-distribution score t such that at least <paramref name="truePositiveRate"/> of the
    /// in-distribution scores are ≤ t (so that share of validation X-rays is accepted, the rest flagged).
    /// </summary>
    public static double AtTruePositiveRate(IReadOnlyList<double> inDistributionScores, double truePositiveRate)
    {
        ArgumentNullException.ThrowIfNull(inDistributionScores);
        if (inDistributionScores.Count == 0)
        {
            throw new ArgumentException("no in-distribution scores to choose a threshold from", nameof(inDistributionScores));
        }

        if (truePositiveRate is <= 0 or > 1 || double.IsNaN(truePositiveRate))
        {
            throw new ArgumentOutOfRangeException(nameof(truePositiveRate), truePositiveRate, "must be in (0, 1]");
        }

        var sorted = inDistributionScores.Order().ToArray();
        // Rank k (1-based) accepts k/n; the smallest k with k/n ≥ tpr. The 1e-9 guards 0.95*100 = 95.00000000000001.
        var k = (int)Math.Ceiling((truePositiveRate * sorted.Length) - 1e-9);
        return sorted[Math.Clamp(k, 1, sorted.Length) - 1];
    }

    /// <summary>
    /// Area under the ROC curve of the score separating out-of-distribution (positive) from in-distribution inputs:
    /// the probability an OOD input scores higher than an in-distribution one, ties counting one half.
    /// </summary>
    public static double Auroc(IReadOnlyList<double> inDistributionScores, IReadOnlyList<double> outOfDistributionScores)
    {
        ArgumentNullException.ThrowIfNull(inDistributionScores);
        ArgumentNullException.ThrowIfNull(outOfDistributionScores);
        if (inDistributionScores.Count == 0 || outOfDistributionScores.Count == 0)
        {
            throw new ArgumentException("AUROC needs at least one score of each kind");
        }

        var inSorted = inDistributionScores.Order().ToArray();
        double wins = 0;
        foreach (var s in outOfDistributionScores)
        {
            var below = LowerBound(inSorted, s);
            var notAbove = UpperBound(inSorted, s);
            wins += below + (0.5 * (notAbove - below));
        }

        return wins / ((double)inSorted.Length * outOfDistributionScores.Count);
    }

    /// <summary>Share of in-distribution scores above the threshold (flagged although they are X-rays).</summary>
    public static double FalseFlagRate(IReadOnlyList<double> inDistributionScores, double threshold)
    {
        ArgumentNullException.ThrowIfNull(inDistributionScores);
        return inDistributionScores.Count(s => s > threshold) / (double)inDistributionScores.Count;
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value) { lo = mid + 1; } else { hi = mid; }
        }

        return lo;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] <= value) { lo = mid + 1; } else { hi = mid; }
        }

        return lo;
    }
}
