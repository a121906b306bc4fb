using EdgeAgent.Devices.Frames;

namespace EdgeAgent.Devices.Tests;

/// <summary>Synthetic chest-radiograph-like frames (body, lungs, ribs, spine) and ways to spoil them.</summary>
internal static class Phantom
{
    /// <summary>A sharp chest-like image: dark background, body, darker lungs crossed by ribs, bright spine.</summary>
    public static GreyFrame Chest(int width, int height, int seed = 1)
    {
        var random = new Random(seed);
        var pixels = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var u = (x + 0.5) / width;
                var v = (y + 0.5) / height;
                double value = 0.08;
                if (Inside(u, v, 0.5, 0.55, 0.42, 0.5))
                {
                    value = 0.55;
                    var leftLung = Inside(u, v, 0.32, 0.5, 0.13, 0.32);
                    var rightLung = Inside(u, v, 0.68, 0.5, 0.13, 0.32);
                    if (leftLung || rightLung)
                    {
                        value = 0.28;
                        // Ribs: curved bands about 1/60 of the height thick, 1/14 apart.
                        var curve = v + (0.05 * Math.Cos((u - 0.5) * Math.PI * 2));
                        if ((curve * 14) % 1.0 < 0.22)
                        {
                            value += 0.22;
                        }
                    }

                    if (Math.Abs(u - 0.5) < 0.04)
                    {
                        value = 0.8; // spine
                    }
                }

                pixels[(y * width) + x] = (float)Math.Clamp(value + ((random.NextDouble() - 0.5) * 0.02), 0, 1);
            }
        }

        return new GreyFrame(width, height, pixels);
    }

    public static GreyFrame Uniform(int width, int height, float level, float noise = 0, int seed = 2)
    {
        var random = new Random(seed);
        var pixels = new float[width * height];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = Math.Clamp(level + (float)((random.NextDouble() - 0.5) * noise), 0f, 1f);
        }

        return new GreyFrame(width, height, pixels);
    }

    /// <summary>Approximately Gaussian blur: three passes of a (2r+1) box, sigma = r * sqrt(2)... per axis for r >= 1.</summary>
    public static GreyFrame Blur(GreyFrame frame, int radius)
    {
        var pixels = (float[])frame.Pixels.Clone();
        for (var pass = 0; pass < 3; pass++)
        {
            pixels = BoxBlur(pixels, frame.Width, frame.Height, radius, horizontal: true);
            pixels = BoxBlur(pixels, frame.Width, frame.Height, radius, horizontal: false);
        }

        return new GreyFrame(frame.Width, frame.Height, pixels);
    }

    /// <summary>Multiplies brightness by a gain and clips at white, as an over-exposed camera does.</summary>
    public static GreyFrame Expose(GreyFrame frame, float gain) =>
        new(frame.Width, frame.Height, frame.Pixels.Select(p => Math.Min(1f, p * gain)).ToArray());

    /// <summary>Packs luminance into YUYV bytes (video range, neutral chroma).</summary>
    public static byte[] ToYuyv(GreyFrame frame)
    {
        var data = new byte[frame.Width * frame.Height * 2];
        for (var i = 0; i < frame.Pixels.Length; i++)
        {
            data[2 * i] = (byte)Math.Round(16 + (219 * frame.Pixels[i]));
            data[(2 * i) + 1] = 128;
        }

        return data;
    }

    private static bool Inside(double u, double v, double cu, double cv, double ru, double rv)
    {
        var du = (u - cu) / ru;
        var dv = (v - cv) / rv;
        return (du * du) + (dv * dv) <= 1;
    }

    private static float[] BoxBlur(float[] source, int width, int height, int radius, bool horizontal)
    {
        var result = new float[source.Length];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                float sum = 0;
                var count = 0;
                for (var k = -radius; k <= radius; k++)
                {
                    var sx = horizontal ? Math.Clamp(x + k, 0, width - 1) : x;
                    var sy = horizontal ? y : Math.Clamp(y + k, 0, height - 1);
                    sum += source[(sy * width) + sx];
                    count++;
                }

                result[(y * width) + x] = sum / count;
            }
        }

        return result;
    }
}
