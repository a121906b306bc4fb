using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Imaging.Preprocessing;
using EdgeAgent.Imaging.Statistics;

namespace EdgeAgent.Imaging.Tests;

public sealed class ImageStatisticsTests
{
    [Fact]
    public void Moments_percentiles_and_clipping_of_a_known_image()
    {
        // Half the pixels 0, half 255.
        var pixels = Enumerable.Range(0, 100).Select(i => i < 50 ? 0f : 255f).ToArray();
        var stats = ImageStatistics.Compute(new DecodedImage(10, 10, 1, pixels));
        Assert.Equal(127.5, stats.Mean, 6);
        Assert.Equal(127.5, stats.StandardDeviation, 6);
        Assert.Equal(0.5, stats.FractionDark);
        Assert.Equal(0.5, stats.FractionBright);
        // Percentiles resolve to one histogram bin (255/1024 = 0.25 levels).
        Assert.InRange(stats.P5, 0, 0.25);
        Assert.InRange(stats.P95, 254.75, 255);
    }

    [Fact]
    public void Uniform_ramp_has_linear_percentiles()
    {
        var pixels = Enumerable.Range(0, 256 * 40).Select(i => (float)(i % 256)).ToArray();
        var stats = ImageStatistics.Compute(new DecodedImage(256, 40, 1, pixels));
        // Uniform over 0..255: the q-th percentile is about 256q, to within one grey level.
        Assert.InRange(stats.P50, 127, 129);
        Assert.InRange(stats.P1, 1.56, 3.56);
        Assert.InRange(stats.P99, 252.4, 254.4);
    }

    [Fact]
    public void Blur_lowers_the_laplacian_variance()
    {
        var sharp = new PhantomGenerator(128).Generate(PhantomClass.Normal, 4).Image;
        // Down then up by 4x is a strong blur.
        var small = ImageResizer.Resize(sharp, 32, 32);
        var blurred = ImageResizer.Resize(small, 128, 128);
        var s = ImageStatistics.Compute(sharp).LaplacianVariance;
        var b = ImageStatistics.Compute(blurred).LaplacianVariance;
        Assert.True(b < s / 4, $"sharp {s}, blurred {b}");
        Assert.Equal(0, ImageStatistics.Compute(new DecodedImage(20, 20, 1, Enumerable.Repeat(90f, 400).ToArray())).LaplacianVariance, 6);
    }

    [Fact]
    public void Aspect_ratio_is_long_over_short()
    {
        Assert.Equal(3.0, ImageStatistics.Compute(new DecodedImage(30, 10, 1, new float[300])).AspectRatio);
    }
}
