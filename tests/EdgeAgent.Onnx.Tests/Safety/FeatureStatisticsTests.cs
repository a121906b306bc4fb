using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Onnx.Tests.Safety;

public sealed class FeatureStatisticsTests
{
    private static readonly float InvSqrt2 = (float)(1 / Math.Sqrt(2));

    // Covariance with eigenvectors (1,1)/√2 (variance 4) and (1,-1)/√2 (variance 1), class mean (1, 2).
    // x = (3, 4): centred (2, 2) lies on the first axis, |projection| = 2√2, so d² = 8/4 = 2 and d = √2.
    [Fact]
    public void Distance_matches_the_hand_computed_mahalanobis_value_with_every_eigenpair_stored()
    {
        var full = new FeatureStatistics([[1f, 2f]], [[InvSqrt2, InvSqrt2], [InvSqrt2, -InvSqrt2]], [4, 1], 1);
        // float32 eigenvectors (1/√2 rounded to 24 bits, relative 3e-8) bound the error far below 1e-6.
        Assert.Equal(Math.Sqrt(2), full.NearestClassDistance([3f, 4f]), 6);
    }

    [Fact]
    public void The_residual_variance_stands_for_every_direction_outside_the_stored_components()
    {
        // Only the first eigenpair stored; residual variance 1 is the second eigenvalue: the same matrix, so the same √2.
        var truncated = new FeatureStatistics([[1f, 2f]], [[InvSqrt2, InvSqrt2]], [4], 1);
        Assert.Equal(Math.Sqrt(2), truncated.NearestClassDistance([3f, 4f]), 6);
        // Along the unstored axis: centred (1, -1), d² = |y|²/1 = 2.
        Assert.Equal(Math.Sqrt(2), truncated.NearestClassDistance([2f, 1f]), 6);
        // A residual variance of 4 halves the distance along that axis: d² = 2/4.
        var wider = new FeatureStatistics([[1f, 2f]], [[InvSqrt2, InvSqrt2]], [4], 4);
        Assert.Equal(Math.Sqrt(0.5), wider.NearestClassDistance([2f, 1f]), 6);
    }

    [Fact]
    public void The_nearest_class_mean_decides_the_distance()
    {
        var statistics = new FeatureStatistics([[0f, 0f], [10f, 0f], [0f, 10f]], [], [], 1);
        Assert.Equal(1.0, statistics.NearestClassDistance([9f, 0f]), 12);
        Assert.Equal(5.0, statistics.NearestClassDistance([3f, -4f]), 12);
    }

    [Fact]
    public void Non_finite_features_give_nan_so_the_agent_flags_them()
    {
        var statistics = new FeatureStatistics([[0f, 0f]], [], [], 1);
        Assert.True(double.IsNaN(statistics.NearestClassDistance([float.NaN, 0f])));
    }

    [Fact]
    public void Wrong_feature_length_is_an_error_naming_both_sizes()
    {
        var statistics = new FeatureStatistics([[0f, 0f]], [], [], 1);
        var error = Assert.Throws<ArgumentException>(() => statistics.NearestClassDistance([1f, 2f, 3f]));
        Assert.Contains("3 values", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 dimensions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_form_round_trips_bit_exactly()
    {
        var statistics = new FeatureStatistics([[1f, 2f, 3f], [-1f, 0.5f, 7f]], [[1f, 0f, 0f], [0f, 0.6f, 0.8f]], [9.5, 2.25], 0.125);
        var bytes = statistics.ToBytes();
        var parsed = FeatureStatistics.Parse(bytes, "stats.bin");
        Assert.Equal(bytes, parsed.ToBytes());
        Assert.Equal(2, parsed.Classes);
        Assert.Equal(3, parsed.Dimensions);
        Assert.Equal(2, parsed.Rank);
        Assert.Equal(0.125, parsed.ResidualVariance);
        Assert.Equal(statistics.NearestClassDistance([0f, 0f, 0f]), parsed.NearestClassDistance([0f, 0f, 0f]));
    }

    [Fact]
    public void Damaged_files_are_refused_with_the_file_name_and_the_problem()
    {
        var bytes = new FeatureStatistics([[1f, 2f]], [[1f, 0f]], [2], 1).ToBytes();
        Assert.Contains("no EAFS header", Assert.Throws<InvalidDataException>(() => FeatureStatistics.Parse("XXXX"u8.ToArray(), "s.bin")).Message, StringComparison.Ordinal);
        Assert.Contains("needs", Assert.Throws<InvalidDataException>(() => FeatureStatistics.Parse(bytes.AsSpan(0, bytes.Length - 1), "s.bin")).Message, StringComparison.Ordinal);
        var badVersion = (byte[])bytes.Clone();
        badVersion[4] = 9;
        Assert.Contains("format version 9", Assert.Throws<InvalidDataException>(() => FeatureStatistics.Parse(badVersion, "s.bin")).Message, StringComparison.Ordinal);
        var badVariance = (byte[])bytes.Clone();
        BitConverter.GetBytes(-1.0).CopyTo(badVariance, 20);
        var error = Assert.Throws<InvalidDataException>(() => FeatureStatistics.Parse(badVariance, "s.bin"));
        Assert.StartsWith("s.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("positive", error.Message, StringComparison.Ordinal);
    }
}
