using EdgeAgent.Onnx.Quantization;

namespace EdgeAgent.Onnx.Tests.Quantization;

public sealed class StreamingHistogramTests
{
    [Fact]
    public void MinMax_is_the_exact_observed_interval_across_batches()
    {
        var histogram = new StreamingHistogram();
        histogram.Add([0.5f, -0.25f, 1f]);
        histogram.Add([3f, -7.5f]);
        Assert.Equal(new TensorRange(-7.5f, 3f), histogram.Range(CalibrationMethod.MinMax));
        Assert.Equal(5, histogram.Count);
    }

    [Fact]
    public void Percentile_clips_a_rare_outlier_to_within_one_bin_of_the_true_quantile()
    {
        // 10 000 values evenly on [0, 1) and one outlier at 100: the 99.99th percentile of |x| is ≈ 1,
        // and the answer is a bin edge, so it may exceed 1 by at most one bin width (limit / bins).
        var histogram = new StreamingHistogram();
        var values = Enumerable.Range(0, 10_000).Select(i => i / 10_000f).Append(100f).ToArray();
        histogram.Add(values);
        var range = histogram.Range(CalibrationMethod.Percentile, 99.99);
        var binWidth = histogram.Limit / histogram.BinCount;
        Assert.InRange(range.Max, 0.999, 1.0 + binWidth);
        Assert.Equal(0f, range.Min);
    }

    [Fact]
    public void Growing_the_range_in_later_batches_keeps_the_percentile_within_the_coarser_bin()
    {
        // Same data fed small-first: the limit doubles (bins merge) as the outlier arrives; the merged bins are
        // at most twice as wide, so the quantile stays within one (final) bin width.
        var histogram = new StreamingHistogram();
        for (var start = 0; start < 10_000; start += 1000)
        {
            histogram.Add(Enumerable.Range(start, 1000).Select(i => i / 10_000f).ToArray());
        }

        histogram.Add([100f]);
        var range = histogram.Range(CalibrationMethod.Percentile, 99.99);
        Assert.InRange(range.Max, 0.999, 1.0 + (histogram.Limit / histogram.BinCount));
        Assert.Equal(10_001, histogram.Count);
    }

    [Fact]
    public void Entropy_clips_gaussian_outliers_but_keeps_the_bulk()
    {
        // N(0, 1) plus a few values at ±60. MinMax would spend 127 levels on ±60 (step 0.47, the bulk in ~13 levels).
        // KL calibration on 128 levels places the threshold a few sigma out: it must clip the outliers
        // (threshold far below 60) while keeping at least the central 2 sigma unclipped.
        var random = new Random(3);
        var values = new float[200_000];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        values[0] = 60f;
        values[1] = -60f;
        values[2] = 59f;
        var histogram = new StreamingHistogram();
        histogram.Add(values);
        var range = histogram.Range(CalibrationMethod.Entropy, levels: 128);
        Assert.InRange(range.Max, 2.0, 20.0);
        Assert.InRange(range.Min, -20.0, -2.0);
        Assert.Equal(-range.Min, range.Max, 3);
    }

    [Fact]
    public void Entropy_of_data_narrower_than_the_levels_keeps_everything()
    {
        // A two-valued tensor fills two bins: nothing to trade off, the whole range is kept.
        var histogram = new StreamingHistogram();
        histogram.Add([0f, 1f, 1f, 0f]);
        var range = histogram.Range(CalibrationMethod.Entropy, levels: 256);
        Assert.Equal(0f, range.Min);
        Assert.Equal(1f, range.Max);
    }

    [Fact]
    public void Entropy_keeps_the_range_of_evenly_spread_8_bit_pixel_values()
    {
        // A preprocessed 8-bit image has 256 evenly used levels: spikes every ~8 bins, no outliers. Clipping any of
        // its top 5% would move real mass, so the threshold must stay above 0.95 of the maximum (1.0 here).
        var values = Enumerable.Range(0, 256 * 40).Select(i => (i % 256) / 255f).ToArray();
        var histogram = new StreamingHistogram();
        histogram.Add(values);
        var range = histogram.Range(CalibrationMethod.Entropy, levels: 256);
        Assert.InRange(range.Max, 0.95f, 1f);
    }

    [Fact]
    public void Non_finite_activations_are_refused()
    {
        var histogram = new StreamingHistogram();
        Assert.Throws<InvalidDataException>(() => histogram.Add([1f, float.NaN]));
    }
}
