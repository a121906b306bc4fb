using EdgeAgent.Inference.Safety;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Inference.Tests.Safety;

/// <summary>The Mahalanobis feature distance combined with the energy score (docs/safety.md, "Combining the two scores").</summary>
public sealed class FeatureDistanceAssessorTests
{
    // Energy limits as in OodAssessorTests: logits [1,2,5] score ≈ -5.07 (ok), [0,0,0] score -ln 3 ≈ -1.10 (above -3.0: OOD).
    private static readonly float[] Confident = [1f, 2f, 5f];
    private static readonly float[] Unsure = [0f, 0f, 0f];

    private static readonly SafetySpec Spec = new()
    {
        OodScore = OodScores.Energy,
        OodThreshold = -3.0,
        ReviewThreshold = -3.3,
        ThresholdTpr = 0.95,
        FeatureDistance = new FeatureDistanceSpec { File = "f.bin", Sha256 = new string('0', 64), OodThreshold = 40, ReviewThreshold = 30, ThresholdTpr = 0.95 },
    };

    private static Diagnosis With(float[] logits, double? distance) => new()
    {
        Probabilities = new Dictionary<string, double> { ["covid"] = 1.0 / 3, ["pneumonia"] = 1.0 / 3, ["normal"] = 1.0 / 3 },
        Label = "covid",
        Logits = logits,
        TimingsMs = new Dictionary<string, double>(),
        Provider = "CPU",
        FeatureDistance = distance,
    };

    [Theory]
    [InlineData(10.0, SafetyStatus.Ok)]
    [InlineData(30.0, SafetyStatus.Ok)]           // at the review limit: accepted (limits are inclusive, as fitted)
    [InlineData(35.0, SafetyStatus.NeedsReview)]
    [InlineData(40.5, SafetyStatus.OutOfDistribution)]
    public void The_distance_sets_the_status_when_energy_is_ok(double distance, SafetyStatus expected)
    {
        var a = OodAssessor.Assess(With(Confident, distance), Spec);
        Assert.Equal(expected, a.Status);
        Assert.Equal(distance, a.FeatureDistance);
        Assert.NotNull(a.OodScore);
        Assert.Equal(expected == SafetyStatus.Ok ? 0 : 1, a.Reasons.Count);
    }

    [Fact]
    public void Energy_above_its_limit_only_asks_for_review_when_the_distance_is_in_range()
    {
        var a = OodAssessor.Assess(With(Unsure, 10.0), Spec);
        Assert.Equal(SafetyStatus.NeedsReview, a.Status);
        Assert.Contains("does not resemble", Assert.Single(a.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Both_checks_failing_gives_out_of_distribution_with_both_reasons()
    {
        var a = OodAssessor.Assess(With(Unsure, 100.0), Spec);
        Assert.Equal(SafetyStatus.OutOfDistribution, a.Status);
        Assert.Equal(2, a.Reasons.Count);
        Assert.Contains("feature distance 100", a.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_distance_is_out_of_distribution()
    {
        var a = OodAssessor.Assess(With(Confident, double.NaN), Spec);
        Assert.Equal(SafetyStatus.OutOfDistribution, a.Status);
        Assert.Null(a.FeatureDistance);
        Assert.Contains("non-finite features", Assert.Single(a.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void A_package_without_statistics_is_judged_by_energy_alone_as_before()
    {
        var energyOnly = Spec with { FeatureDistance = null };
        var a = OodAssessor.Assess(With(Unsure, null), energyOnly);
        var byEnergy = OodAssessor.Assess(Unsure, energyOnly);
        Assert.Equal(SafetyStatus.OutOfDistribution, a.Status);
        Assert.Equal(byEnergy.OodScore, a.OodScore);
        Assert.Equal(byEnergy.Reasons, a.Reasons);
        Assert.Null(a.FeatureDistance);
    }

    [Fact]
    public void Statistics_named_but_no_distance_measured_falls_back_to_energy_and_says_so()
    {
        var a = OodAssessor.Assess(With(Confident, null), Spec);
        Assert.Equal(SafetyStatus.Ok, a.Status);
        Assert.Contains("only the energy score was checked", Assert.Single(a.Reasons), StringComparison.Ordinal);
    }
}
