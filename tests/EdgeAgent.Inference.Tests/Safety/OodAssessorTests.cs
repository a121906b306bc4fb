using EdgeAgent.Inference.Safety;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Inference.Tests.Safety;

public sealed class OodAssessorTests
{
    // Hand-computed: -(3 + ln(1 + e^-1 + e^-2)) and -2·(1.5 + ln(1 + e^-0.5 + e^-1)). Logits are float32 but the values
    // 1, 2, 3 are exact; the sums run in double, so 1e-12 leaves room only for double rounding.
    [Theory]
    [InlineData(1.0, -3.4076059644443806)]
    [InlineData(2.0, -4.360539341283469)]
    public void Energy_matches_the_hand_computed_value(double temperature, double expected) =>
        Assert.Equal(expected, OodScores.EnergyOf([1f, 2f, 3f], temperature), 12);

    [Fact]
    public void Energy_does_not_overflow_on_large_logits()
    {
        // logsumexp(1000, 1000) = 1000 + ln 2; a naive exp(1000) would be infinite.
        Assert.Equal(-(1000 + Math.Log(2)), OodScores.EnergyOf([1000f, 1000f]), 9);
    }

    [Fact]
    public void Max_logit_score_is_the_negated_largest_logit() =>
        Assert.Equal(-3.0, OodScores.Score(OodScores.MaxLogit, [1f, -2f, 3f]));

    [Fact]
    public void Unknown_score_name_is_an_error_listing_the_known_ones()
    {
        var ex = Assert.Throws<ArgumentException>(() => OodScores.Score("mahalanobis", [1f]));
        Assert.Contains("energy", ex.Message, StringComparison.Ordinal);
    }

    private static readonly SafetySpec Spec = new() { OodScore = OodScores.Energy, OodThreshold = -3.0, ReviewThreshold = -3.3, ThresholdTpr = 0.95 };

    [Fact]
    public void A_confident_input_is_ok()
    {
        // energy([1,2,5]) = -(5 + ln(1 + e^-3 + e^-4)) ≈ -5.07: below both limits.
        var a = OodAssessor.Assess([1f, 2f, 5f], Spec);
        Assert.Equal(SafetyStatus.Ok, a.Status);
        Assert.Empty(a.Reasons);
        Assert.Equal(-(5 + Math.Log(1 + Math.Exp(-3) + Math.Exp(-4))), a.OodScore!.Value, 12);
    }

    [Fact]
    public void Between_the_limits_needs_review()
    {
        // energy([1,1,2.9]) = -(2.9 + ln(1 + 2e^-1.9)) ≈ -3.162, between the review limit -3.3 and the OOD limit -3.0.
        var a = OodAssessor.Assess([1f, 1f, 2.9f], Spec);
        Assert.Equal(SafetyStatus.NeedsReview, a.Status);
        Assert.StartsWith("The model is unsure", Assert.Single(a.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Above_the_ood_limit_is_out_of_distribution_and_the_reason_names_the_tpr()
    {
        // energy([0,0,0]) = -ln 3 ≈ -1.099 > -3.0.
        var a = OodAssessor.Assess([0f, 0f, 0f], Spec);
        Assert.Equal(SafetyStatus.OutOfDistribution, a.Status);
        Assert.Equal(-Math.Log(3), a.OodScore!.Value, 12);
        Assert.Contains("95", Assert.Single(a.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_thresholds_the_score_is_reported_and_the_status_is_ok_with_a_note()
    {
        var a = OodAssessor.Assess([0f, 0f, 0f], null);
        Assert.Equal(SafetyStatus.Ok, a.Status);
        Assert.NotNull(a.OodScore);
        Assert.Contains("no out-of-distribution threshold", Assert.Single(a.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_logits_are_out_of_distribution() =>
        Assert.Equal(SafetyStatus.OutOfDistribution, OodAssessor.Assess([float.NaN, 1f], Spec).Status);

    [Fact]
    public void Wire_names_match_the_result_contract()
    {
        Assert.Equal("needs-review", SafetyAssessment.WireName(SafetyStatus.NeedsReview));
        Assert.Equal("out-of-distribution", SafetyAssessment.WireName(SafetyStatus.OutOfDistribution));
        Assert.Equal("NEEDS REVIEW", SafetyAssessment.Banner(SafetyStatus.NeedsReview));
        Assert.Null(SafetyAssessment.Banner(SafetyStatus.Ok));
    }
}
