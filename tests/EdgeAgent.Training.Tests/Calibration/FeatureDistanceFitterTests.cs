using EdgeAgent.Training.Calibration;

namespace EdgeAgent.Training.Tests.Calibration;

public sealed class FeatureDistanceFitterTests
{
    /// <summary>Samples x = mean_k + A·z with z standard normal, so the true covariance is A·Aᵀ.</summary>
    private static (List<float[]> Features, List<int> Labels) Sample(double[][] means, double[,] a, int perClass, int seed)
    {
        var random = new Random(seed);
        var d = means[0].Length;
        var features = new List<float[]>();
        var labels = new List<int>();
        for (var k = 0; k < means.Length; k++)
        {
            for (var i = 0; i < perClass; i++)
            {
                var z = Enumerable.Range(0, d).Select(_ => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray();
                var x = new float[d];
                for (var r = 0; r < d; r++)
                {
                    var v = means[k][r];
                    for (var c = 0; c < d; c++)
                    {
                        v += a[r, c] * z[c];
                    }

                    x[r] = (float)v;
                }

                features.Add(x);
                labels.Add(k);
            }
        }

        return (features, labels);
    }

    // Lower-triangular A: covariance A·Aᵀ is correlated and far from a multiple of the identity.
    private static readonly double[,] A = { { 3, 0, 0, 0 }, { 1, 1, 0, 0 }, { 0, 0.5, 0.5, 0 }, { 2, 0, 0, 2 } };
    private static readonly double[][] Means = [[0, 0, 0, 0], [10, -5, 2, 0]];

    [Fact]
    public void With_many_samples_the_distance_is_the_true_mahalanobis_distance()
    {
        var (features, labels) = Sample(Means, A, perClass: 3000, seed: 1);
        var (statistics, shrinkage) = FeatureDistanceFitter.Fit(features, labels, classes: 2, rank: 4);

        // Ledoit–Wolf intensity shrinks toward 0 as n grows; with 6000 samples in 4 dimensions it is tiny.
        Assert.InRange(shrinkage, 0, 0.02);
        // x = mean_0 + A·(1, -1, 2, 0.5): its true squared distance to class 0 is |z|² = 1 + 1 + 4 + 0.25.
        double[] z = [1, -1, 2, 0.5];
        var x = new float[4];
        for (var r = 0; r < 4; r++)
        {
            x[r] = (float)Enumerable.Range(0, 4).Sum(c => A[r, c] * z[c]);
        }

        // Covariance estimated from 6000 samples is off by about sqrt(2/6000) ≈ 2% per entry; 5% of the distance covers it.
        Assert.Equal(Math.Sqrt(6.25), statistics.NearestClassDistance(x), Math.Sqrt(6.25) * 0.05);
        for (var j = 0; j < 4; j++)
        {
            // Class means from 3000 samples: standard error ≤ 3.2/sqrt(3000) ≈ 0.06 per feature; 0.25 is four of those.
            Assert.Equal(Means[1][j], statistics.ClassMeans[1][j], 0.25);
        }
    }

    [Fact]
    public void Keeping_all_but_one_component_is_the_same_matrix_because_the_residual_is_the_last_eigenvalue()
    {
        var (features, labels) = Sample(Means, A, perClass: 50, seed: 2);
        var (full, _) = FeatureDistanceFitter.Fit(features, labels, classes: 2, rank: 4);
        var (truncated, _) = FeatureDistanceFitter.Fit(features, labels, classes: 2, rank: 3);
        Assert.Equal(3, truncated.Rank);
        float[] probe = [4f, -3f, 1f, 7f];
        // Only float32 storage of the eigenvectors differs in rounding: relative 1e-6 is generous for 4 dimensions.
        Assert.Equal(full.NearestClassDistance(probe), truncated.NearestClassDistance(probe), full.NearestClassDistance(probe) * 1e-6);
    }

    [Fact]
    public void Fewer_samples_than_features_still_give_a_usable_shrunk_covariance()
    {
        // 20 samples in 50 dimensions: the sample covariance has rank ≤ 18 and no inverse; shrinkage makes it invertible.
        var random = new Random(3);
        var features = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, 50).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        var labels = Enumerable.Range(0, 20).Select(i => i % 2).ToList();
        var (statistics, shrinkage) = FeatureDistanceFitter.Fit(features, labels, classes: 2, rank: 10);
        Assert.InRange(shrinkage, 1e-3, 1);
        Assert.True(statistics.ResidualVariance > 0);
        var inside = statistics.NearestClassDistance(features[0]);
        var far = statistics.NearestClassDistance([.. features[0].Select(v => v + 5f)]);
        Assert.True(double.IsFinite(inside) && far > 5 * inside, $"inside {inside}, far {far}");
    }

    [Fact]
    public void A_class_without_samples_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => FeatureDistanceFitter.Fit([[1f, 2f], [2f, 1f]], [0, 0], classes: 2));
        Assert.Contains("class 1 has no samples", error.Message, StringComparison.Ordinal);
    }
}
