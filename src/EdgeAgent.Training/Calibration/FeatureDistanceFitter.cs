using EdgeAgent.Onnx.Packaging;
using TorchSharp;

namespace EdgeAgent.Training.Calibration;

/// <summary>
/// Fits <see cref="FeatureStatistics"/> for the Mahalanobis OOD score (Lee et al. 2018): class means and one tied
/// within-class covariance of pooled features. With a few hundred images and 512 features the sample covariance is
/// singular, so it is shrunk toward a scaled identity with the Ledoit–Wolf (2004) intensity, then kept as its
/// <c>rank</c> leading eigenpairs plus the mean of the remaining eigenvalues (probabilistic-PCA form), which is
/// what the package stores.
/// </summary>
public static class FeatureDistanceFitter
{
    public const int DefaultRank = 64;

    /// <summary>The statistics and the shrinkage intensity used (0 = sample covariance, 1 = scaled identity).</summary>
    public static (FeatureStatistics Statistics, double Shrinkage) Fit(IReadOnlyList<float[]> features, IReadOnlyList<int> labels, int classes, int rank = DefaultRank)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Count == 0 || features.Count != labels.Count)
        {
            throw new ArgumentException($"need one label per feature vector and at least one of each (got {features.Count} vectors, {labels.Count} labels)", nameof(labels));
        }

        var d = features[0].Length;
        if (features.Any(f => f.Length != d))
        {
            throw new ArgumentException("every feature vector must have the same length", nameof(features));
        }

        var n = features.Count;
        var means = new double[classes][];
        var counts = new int[classes];
        for (var k = 0; k < classes; k++)
        {
            means[k] = new double[d];
        }

        for (var i = 0; i < n; i++)
        {
            var k = labels[i];
            if (k < 0 || k >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {k} of sample {i} is outside 0..{classes - 1}");
            }

            counts[k]++;
            for (var j = 0; j < d; j++)
            {
                means[k][j] += features[i][j];
            }
        }

        for (var k = 0; k < classes; k++)
        {
            if (counts[k] == 0)
            {
                throw new ArgumentException($"class {k} has no samples; every class needs a mean", nameof(labels));
            }

            for (var j = 0; j < d; j++)
            {
                means[k][j] /= counts[k];
            }
        }

        // Within-class centred samples, one row each.
        var centred = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < d; j++)
            {
                centred[(i * d) + j] = features[i][j] - means[labels[i]][j];
            }
        }

        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(centred, [n, d], torch.float64);
        var sample = x.t().matmul(x) / n;                               // S, d x d
        var tau = sample.trace().item<double>() / d;                   // target: tau * I
        var identity = torch.eye(d, dtype: torch.float64);
        var delta = (sample - (identity * tau)).pow(2).sum().item<double>();
        // Ledoit–Wolf: beta = (1/n^2) Σ_i ||x_i x_iᵀ − S||_F², with ||x xᵀ − S||² = |x|⁴ − 2 xᵀS x + ||S||².
        var squaredNorms = x.pow(2).sum(1);
        var quadratic = (x.matmul(sample) * x).sum(1);
        var frobenius = sample.pow(2).sum().item<double>();
        var beta = (squaredNorms.pow(2) - (quadratic * 2) + frobenius).sum().item<double>() / ((double)n * n);
        var shrinkage = delta > 0 ? Math.Clamp(beta / delta, 0, 1) : 1;
        var shrunk = (sample * (1 - shrinkage)) + (identity * (shrinkage * tau));

        var (values, vectors) = torch.linalg.eigh(shrunk);             // ascending eigenvalues, eigenvectors in columns
        var eigenvalues = values.data<double>().ToArray();
        var columns = vectors.data<double>().ToArray();                // row-major d x d: element (row j, column c) at j*d + c
        var keep = Math.Clamp(rank, 0, d);
        var order = Enumerable.Range(0, d).OrderByDescending(c => eigenvalues[c]).ToArray();
        var componentRows = new float[keep][];
        var variances = new double[keep];
        for (var i = 0; i < keep; i++)
        {
            var c = order[i];
            variances[i] = eigenvalues[c];
            componentRows[i] = new float[d];
            for (var j = 0; j < d; j++)
            {
                componentRows[i][j] = (float)columns[(j * d) + c];
            }
        }

        var rest = order.Skip(keep).Select(c => eigenvalues[c]).ToArray();
        var residual = rest.Length > 0 ? rest.Average() : eigenvalues.Min();
        var statistics = new FeatureStatistics(
            [.. means.Select(m => m.Select(v => (float)v).ToArray())], componentRows, variances, residual);
        return (statistics, shrinkage);
    }
}
