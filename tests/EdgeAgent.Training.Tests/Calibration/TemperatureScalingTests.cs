using EdgeAgent.Training.Calibration;

namespace EdgeAgent.Training.Tests.Calibration;

public sealed class TemperatureScalingTests
{
    /// <summary>
    /// Labels drawn from softmax(z); the "model" reports z · T0, i.e. it is over-confident by exactly T0.
    /// The maximum-likelihood temperature is then T0 up to sampling noise.
    /// </summary>
    private static (List<float[]> Logits, List<int> Labels) OverconfidentSample(int n, double trueTemperature, int seed)
    {
        var random = new Random(seed);
        var logits = new List<float[]>(n);
        var labels = new List<int>(n);
        for (var i = 0; i < n; i++)
        {
            var z = Enumerable.Range(0, 3).Select(_ => 1.5 * Gaussian(random)).ToArray();
            var p = TemperatureScaling.Softmax([.. z.Select(v => (float)v)], 1.0);
            var u = random.NextDouble();
            var label = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
            logits.Add([.. z.Select(v => (float)(v * trueTemperature))]);
            labels.Add(label);
        }

        return (logits, labels);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void Fit_recovers_a_known_temperature_within_four_standard_errors()
    {
        const double trueTemperature = 2.5;
        var (logits, labels) = OverconfidentSample(3000, trueTemperature, seed: 42);

        var fitted = TemperatureScaling.Fit(logits, labels);

        // Standard error of the inverse temperature b from the observed Fisher information:
        // d²(total NLL)/db² = Σ_i Var_{softmax(b·s_i)}(s_i). Four standard errors: a correct fit fails with p < 1e-4.
        var b = 1 / trueTemperature;
        double information = 0;
        foreach (var s in logits)
        {
            var p = TemperatureScaling.Softmax(s, trueTemperature);
            var mean = p.Select((pk, k) => pk * s[k]).Sum();
            information += p.Select((pk, k) => pk * (s[k] - mean) * (s[k] - mean)).Sum();
        }

        var standardError = 1 / Math.Sqrt(information);
        Assert.InRange(1 / fitted, b - (4 * standardError), b + (4 * standardError));
        Assert.True(standardError < 0.05 * b, $"the sample is too small to test anything: SE {standardError} vs b {b}");
    }

    [Fact]
    public void The_fitted_temperature_never_has_a_higher_nll_than_no_scaling_and_lowers_held_out_ece()
    {
        var (logits, labels) = OverconfidentSample(2000, 2.5, seed: 7);
        var (heldOut, heldOutLabels) = OverconfidentSample(2000, 2.5, seed: 8);
        var report = CalibrationReport.Fit(logits, labels);
        Assert.True(report.NllAfter <= report.NllBefore);
        var before = CalibrationError.OfLogits(heldOut, heldOutLabels, 1.0);
        var after = CalibrationError.OfLogits(heldOut, heldOutLabels, report.Temperature);
        Assert.True(after < before / 2, $"held-out ECE before {before:0.0000}, after {after:0.0000}");
    }

    [Fact]
    public void A_calibrated_model_keeps_a_temperature_near_one()
    {
        var (logits, labels) = OverconfidentSample(3000, 1.0, seed: 3);
        Assert.InRange(TemperatureScaling.Fit(logits, labels), 0.85, 1.15);
    }

    [Fact]
    public void A_separable_validation_set_keeps_temperature_one_and_one_error_makes_the_minimum_finite()
    {
        // All true-class logits are the maximum: NLL only falls as T -> 0, so there is no temperature to fit.
        float[][] logits = [[4f, 1f, 0f], [0f, 3f, 1f], [1f, 0f, 2f]];
        int[] labels = [0, 1, 2];
        Assert.True(TemperatureScaling.IsSeparable(logits, labels));
        Assert.Equal(1.0, TemperatureScaling.Fit(logits, labels));
        Assert.True(TemperatureScaling.NegativeLogLikelihood(logits, labels, 0.1) < TemperatureScaling.NegativeLogLikelihood(logits, labels, 1.0));

        // One confident error makes sharpening costly: the fit is an interior minimum, not a range edge or 1.
        float[][] withError = [.. logits, [3f, 0f, 0f]];
        int[] withErrorLabels = [.. labels, 1];
        Assert.False(TemperatureScaling.IsSeparable(withError, withErrorLabels));
        var fitted = TemperatureScaling.Fit(withError, withErrorLabels);
        Assert.InRange(fitted, 0.06, 19.0);
        Assert.NotEqual(1.0, fitted, 3);
        foreach (var other in new[] { fitted * 0.8, fitted * 1.25 })
        {
            Assert.True(TemperatureScaling.NegativeLogLikelihood(withError, withErrorLabels, other) > TemperatureScaling.NegativeLogLikelihood(withError, withErrorLabels, fitted));
        }
    }

    [Fact]
    public void Nll_matches_a_hand_computed_value()
    {
        // One sample, logits [0, ln 3], label 1: p = 3/4, NLL = ln(4/3). At T = 2: p = √3/(1+√3).
        float[][] logits = [[0f, (float)Math.Log(3)]];
        // ln 3 rounded to float32 moves p by ~1e-8 relative; 1e-7 covers it.
        Assert.Equal(Math.Log(4.0 / 3.0), TemperatureScaling.NegativeLogLikelihood(logits, [1], 1.0), 7);
        Assert.Equal(-Math.Log(Math.Sqrt(3) / (1 + Math.Sqrt(3))), TemperatureScaling.NegativeLogLikelihood(logits, [1], 2.0), 7);
    }

    [Fact]
    public void Mismatched_inputs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TemperatureScaling.Fit([[1f, 2f]], [0, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureScaling.Fit([[1f, 2f]], [2]));
    }
}
