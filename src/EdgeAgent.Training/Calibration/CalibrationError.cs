namespace EdgeAgent.Training.Calibration;

/// <summary>
/// Expected calibration error over equal-width confidence bins (Naeini et al. 2015; 15 bins as in Guo et al. 2017):
/// ECE = Σ_b (n_b / N) · |accuracy_b − mean confidence_b|, using each sample's top-class probability.
/// </summary>
public static class CalibrationError
{
    public const int DefaultBins = 15;

    /// <summary>Bin b holds confidences in (b/B, (b+1)/B]; a confidence of exactly 0 goes to the first bin.</summary>
    public static IReadOnlyList<ReliabilityBin> Bins(IReadOnlyList<double> confidences, IReadOnlyList<bool> correct, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(confidences);
        ArgumentNullException.ThrowIfNull(correct);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (confidences.Count != correct.Count)
        {
            throw new ArgumentException($"{confidences.Count} confidences but {correct.Count} outcomes", nameof(correct));
        }

        var count = new int[bins];
        var confidenceSum = new double[bins];
        var hits = new int[bins];
        for (var i = 0; i < confidences.Count; i++)
        {
            var c = confidences[i];
            if (c is < 0 or > 1 || double.IsNaN(c))
            {
                throw new ArgumentOutOfRangeException(nameof(confidences), $"confidence {c} of sample {i} is not a probability");
            }

            var b = Math.Clamp((int)Math.Ceiling(c * bins) - 1, 0, bins - 1);
            count[b]++;
            confidenceSum[b] += c;
            hits[b] += correct[i] ? 1 : 0;
        }

        return [.. Enumerable.Range(0, bins).Select(b => new ReliabilityBin(
            b / (double)bins, (b + 1) / (double)bins, count[b],
            count[b] == 0 ? 0 : confidenceSum[b] / count[b],
            count[b] == 0 ? 0 : hits[b] / (double)count[b]))];
    }

    public static double Expected(IReadOnlyList<double> confidences, IReadOnlyList<bool> correct, int bins = DefaultBins)
    {
        var table = Bins(confidences, correct, bins);
        var n = table.Sum(b => b.Count);
        return n == 0 ? 0 : table.Sum(b => b.Count / (double)n * Math.Abs(b.Accuracy - b.MeanConfidence));
    }

    /// <summary>ECE of logits at a temperature: top-class probability of softmax(z / T) against the labels.</summary>
    public static double OfLogits(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels, double temperature, int bins = DefaultBins)
    {
        var (confidences, correct) = TopClass(logits, labels, temperature);
        return Expected(confidences, correct, bins);
    }

    public static (double[] Confidences, bool[] Correct) TopClass(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels, double temperature)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        var confidences = new double[logits.Count];
        var correct = new bool[logits.Count];
        for (var i = 0; i < logits.Count; i++)
        {
            var p = TemperatureScaling.Softmax(logits[i], temperature);
            var top = Array.IndexOf(p, p.Max());
            confidences[i] = p[top];
            correct[i] = top == labels[i];
        }

        return (confidences, correct);
    }

    /// <summary>
    /// The ECE a perfectly calibrated model would show on these confidences: outcomes drawn as Bernoulli(confidence),
    /// <paramref name="draws"/> times. ECE is biased upward on few samples; a measured ECE within this floor is as good as
    /// the sample size can show. Returns the mean and standard deviation over the draws.
    /// </summary>
    public static (double Mean, double StandardDeviation) SamplingFloor(IReadOnlyList<double> confidences, int draws = 200, int seed = 12345, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(confidences);
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 2);
        var random = new Random(seed);
        var values = new double[draws];
        for (var d = 0; d < draws; d++)
        {
            var outcomes = confidences.Select(c => random.NextDouble() < c).ToArray();
            values[d] = Expected(confidences, outcomes, bins);
        }

        var mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (draws - 1)));
    }
}
