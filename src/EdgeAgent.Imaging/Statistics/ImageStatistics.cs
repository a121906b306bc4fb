using EdgeAgent.Imaging.Preprocessing;

namespace EdgeAgent.Imaging.Statistics;

/// <summary>
/// Global measures of a radiograph's grey levels (on the 0..255 scale) for an input-quality gate:
/// exposure (mean, percentiles, clipped fractions), contrast (standard deviation) and sharpness
/// (variance of the Laplacian, measured after scaling the long side to <see cref="AnalysisSize"/>
/// so the number does not depend on the detector's resolution).
/// </summary>
public sealed record ImageStatistics
{
    /// <summary>Long side, in pixels, of the copy the blur measure is computed on.</summary>
    public const int AnalysisSize = 512;
    private const int Bins = 1024;

    public required int Width { get; init; }
    public required int Height { get; init; }
    public required double Mean { get; init; }
    public required double StandardDeviation { get; init; }
    public required double Min { get; init; }
    public required double Max { get; init; }
    /// <summary>Grey levels below which 1, 5, 50, 95 and 99 percent of pixels lie.</summary>
    public required double P1 { get; init; }
    public required double P5 { get; init; }
    public required double P50 { get; init; }
    public required double P95 { get; init; }
    public required double P99 { get; init; }
    /// <summary>Fraction of pixels at or below the dark clip level.</summary>
    public required double FractionDark { get; init; }
    /// <summary>Fraction of pixels at or above the bright clip level.</summary>
    public required double FractionBright { get; init; }
    /// <summary>Variance of the 4-neighbour Laplacian: low for blurred or featureless images.</summary>
    public required double LaplacianVariance { get; init; }

    /// <summary>Long side over short side (1 for square).</summary>
    public double AspectRatio => Math.Max(Width, Height) / (double)Math.Min(Width, Height);

    /// <param name="darkLevel">Pixels at or below this level count as clipped dark.</param>
    /// <param name="brightLevel">Pixels at or above this level count as clipped bright.</param>
    public static ImageStatistics Compute(DecodedImage image, double darkLevel = 2, double brightLevel = 253)
    {
        ArgumentNullException.ThrowIfNull(image);
        var grey = image.ToGray();
        var histogram = new long[Bins];
        double sum = 0, sumSquares = 0, min = double.MaxValue, max = double.MinValue;
        long dark = 0, bright = 0;
        foreach (var v in grey)
        {
            sum += v;
            sumSquares += (double)v * v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            dark += v <= darkLevel ? 1 : 0;
            bright += v >= brightLevel ? 1 : 0;
            histogram[Math.Clamp((int)(v / 255.0 * Bins), 0, Bins - 1)]++;
        }
        var n = grey.Length;
        var mean = sum / n;
        return new ImageStatistics
        {
            Width = image.Width,
            Height = image.Height,
            Mean = mean,
            StandardDeviation = Math.Sqrt(Math.Max(0, (sumSquares / n) - (mean * mean))),
            Min = min,
            Max = max,
            P1 = Percentile(histogram, n, 0.01),
            P5 = Percentile(histogram, n, 0.05),
            P50 = Percentile(histogram, n, 0.50),
            P95 = Percentile(histogram, n, 0.95),
            P99 = Percentile(histogram, n, 0.99),
            FractionDark = dark / (double)n,
            FractionBright = bright / (double)n,
            LaplacianVariance = LaplacianVarianceOf(grey, image.Width, image.Height),
        };
    }

    /// <summary>Level below which <paramref name="q"/> of the pixels lie, interpolated within a histogram bin (bin width 255/1024).</summary>
    private static double Percentile(long[] histogram, long count, double q)
    {
        var target = q * count;
        long cumulative = 0;
        for (var b = 0; b < histogram.Length; b++)
        {
            if (cumulative + histogram[b] >= target && histogram[b] > 0)
            {
                var within = (target - cumulative) / histogram[b];
                return (b + within) * 255.0 / Bins;
            }
            cumulative += histogram[b];
        }
        return 255.0;
    }

    private static double LaplacianVarianceOf(float[] grey, int width, int height)
    {
        var scale = Math.Min(1.0, AnalysisSize / (double)Math.Max(width, height));
        int w = Math.Max(1, (int)Math.Round(width * scale)), h = Math.Max(1, (int)Math.Round(height * scale));
        var plane = scale < 1 ? ImageResizer.ResizePlane(grey, width, height, 1, w, h) : grey;
        if (w < 3 || h < 3)
        {
            return 0;
        }
        double sum = 0, sumSquares = 0;
        long n = 0;
        for (var y = 1; y < h - 1; y++)
        {
            for (var x = 1; x < w - 1; x++)
            {
                var i = (y * w) + x;
                double lap = plane[i - 1] + plane[i + 1] + plane[i - w] + plane[i + w] - (4.0 * plane[i]);
                sum += lap;
                sumSquares += lap * lap;
                n++;
            }
        }
        var mean = sum / n;
        return (sumSquares / n) - (mean * mean);
    }
}
