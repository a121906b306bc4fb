using System.Globalization;
using EdgeAgent.Devices.Frames;

namespace EdgeAgent.Devices.Quality;

/// <summary>
/// Rejects frames a radiologist could not read either: too small, black, over-exposed, blank or
/// blurred. Measures on a copy reduced to at most <see cref="AnalysisSize"/> px on the long side so
/// the thresholds mean the same at every camera resolution and sensor noise averages out.
/// </summary>
public sealed class FrameQualityGate
{
    public const int AnalysisSize = 256;

    private readonly FrameQualityOptions _options;

    public FrameQualityGate(FrameQualityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public FrameQualityVerdict Evaluate(GreyFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var statistics = Measure(frame);
        var rejections = new List<FrameRejection>();

        if (frame.Width < _options.MinWidth || frame.Height < _options.MinHeight)
        {
            rejections.Add(new(FrameRejectionKind.TooSmall,
                $"The frame is only {frame.Width}x{frame.Height} pixels; at least {_options.MinWidth}x{_options.MinHeight} are needed. " +
                "Set the camera to a higher resolution."));
        }

        var black = statistics.MeanBrightness < _options.MinMeanBrightness;
        var saturated = statistics.SaturatedFraction > _options.MaxSaturatedFraction;
        if (black)
        {
            rejections.Add(new(FrameRejectionKind.Black,
                $"The frame is black (average brightness {Percent(statistics.MeanBrightness)} of full scale). " +
                "Check that the X-ray unit's screen or video output is on, the lens cap is off and the light box is lit."));
        }
        else if (saturated)
        {
            rejections.Add(new(FrameRejectionKind.Saturated,
                $"The frame is over-exposed: {Percent(statistics.SaturatedFraction)} of it is pure white " +
                $"(at most {Percent(_options.MaxSaturatedFraction)} allowed). Lower the light-box brightness or the camera exposure."));
        }
        else if (statistics.Contrast < _options.MinContrast)
        {
            rejections.Add(new(FrameRejectionKind.Blank,
                $"The frame is blank: almost no contrast (variation {Percent(statistics.Contrast)} of full scale, " +
                $"at least {Percent(_options.MinContrast)} needed). Is the film on the light box, or is an image shown on the X-ray unit's screen?"));
        }
        else if (statistics.Sharpness < _options.MinSharpness)
        {
            rejections.Add(new(FrameRejectionKind.Blurred,
                $"The frame is blurred (sharpness {statistics.Sharpness.ToString("0.00", CultureInfo.InvariantCulture)}, " +
                $"at least {_options.MinSharpness.ToString("0.00", CultureInfo.InvariantCulture)} needed). " +
                "Hold the camera still, refocus on the film and clean the lens, then capture again."));
        }

        return new FrameQualityVerdict(rejections, statistics);
    }

    /// <summary>Measures brightness, contrast, clipped-white share and sharpness of a frame.</summary>
    public FrameStatistics Measure(GreyFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var (small, width, height) = Reduce(frame);
        double sum = 0, sumSquares = 0;
        var saturated = 0;
        foreach (var value in small)
        {
            sum += value;
            sumSquares += (double)value * value;
            if (value >= _options.SaturatedLevel)
            {
                saturated++;
            }
        }

        // Clipped white is counted on the reduced copy: a clipped patch smaller than one reduced
        // pixel averages below the level, and a patch that small does not spoil a diagnosis.
        var count = small.Length;
        var mean = sum / count;
        var variance = Math.Max(0, (sumSquares / count) - (mean * mean));
        var contrast = Math.Sqrt(variance);
        return new FrameStatistics(mean, contrast, (double)saturated / count, Sharpness(small, width, height, contrast));
    }

    /// <summary>RMS of the 4-neighbour Laplacian over the brightness standard deviation: edge energy per unit contrast.</summary>
    private static double Sharpness(float[] pixels, int width, int height, double contrast)
    {
        if (width < 3 || height < 3 || contrast <= 1e-6)
        {
            return 0;
        }

        double sumSquares = 0;
        for (var y = 1; y < height - 1; y++)
        {
            for (var x = 1; x < width - 1; x++)
            {
                var i = (y * width) + x;
                double laplacian = pixels[i - 1] + pixels[i + 1] + pixels[i - width] + pixels[i + width] - (4 * pixels[i]);
                sumSquares += laplacian * laplacian;
            }
        }

        return Math.Sqrt(sumSquares / ((width - 2) * (height - 2))) / contrast;
    }

    /// <summary>Box-averages the frame by a whole factor so its long side is at most <see cref="AnalysisSize"/>.</summary>
    private static (float[] Pixels, int Width, int Height) Reduce(GreyFrame frame)
    {
        var factor = (int)Math.Ceiling(Math.Max(frame.Width, frame.Height) / (double)AnalysisSize);
        if (factor <= 1)
        {
            return (frame.Pixels, frame.Width, frame.Height);
        }

        var width = frame.Width / factor;
        var height = frame.Height / factor;
        var result = new float[width * height];
        var source = frame.Pixels;
        var area = factor * factor;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                float sum = 0;
                for (var dy = 0; dy < factor; dy++)
                {
                    var row = (((y * factor) + dy) * frame.Width) + (x * factor);
                    for (var dx = 0; dx < factor; dx++)
                    {
                        sum += source[row + dx];
                    }
                }

                result[(y * width) + x] = sum / area;
            }
        }

        return (result, width, height);
    }

    private static string Percent(double fraction) => fraction.ToString("0%", CultureInfo.InvariantCulture);
}
