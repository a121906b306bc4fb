using EdgeAgent.Imaging;

namespace EdgeAgent.Inference.Tests.Safety;

/// <summary>Deliberately bad versions of a good image: the failures a field clinic actually produces.</summary>
internal static class BadInputs
{
    public static DecodedImage Map(DecodedImage image, Func<float, float> f) =>
        new(image.Width, image.Height, image.Channels, [.. image.Pixels.Select(p => Math.Clamp(f(p), 0f, 255f))], image.Format, image.Dicom);

    /// <summary>Under-exposed: most of the film stays near black.</summary>
    public static DecodedImage Dark(DecodedImage image) => Map(image, p => (p * 0.35f) - 25f);

    /// <summary>Over-exposed / washed out: most of the film burns to white.</summary>
    public static DecodedImage Bright(DecodedImage image) => Map(image, p => (p * 1.6f) + 90f);

    /// <summary>Heavy defocus/motion: <paramref name="passes"/> separable box blurs of radius <paramref name="radius"/>.</summary>
    public static DecodedImage Blurred(DecodedImage image, int radius = 4, int passes = 3)
    {
        var plane = image.ToGray().ToArray();
        int w = image.Width, h = image.Height;
        for (var pass = 0; pass < passes; pass++)
        {
            plane = BoxBlur(plane, w, h, radius, horizontal: true);
            plane = BoxBlur(plane, w, h, radius, horizontal: false);
        }

        return new DecodedImage(w, h, 1, plane, image.Format, image.Dicom);
    }

    public static DecodedImage Crop(DecodedImage image, int width, int height)
    {
        var grey = image.ToGray();
        var pixels = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            Array.Copy(grey, y * image.Width, pixels, y * width, width);
        }

        return new DecodedImage(width, height, 1, pixels, image.Format, image.Dicom);
    }

    public static DecodedImage WithDicom(DecodedImage image, DicomAttributes dicom) =>
        new(image.Width, image.Height, image.Channels, image.Pixels, "dicom", dicom);

    private static float[] BoxBlur(float[] src, int w, int h, int r, bool horizontal)
    {
        var dst = new float[src.Length];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                double sum = 0;
                var n = 0;
                for (var k = -r; k <= r; k++)
                {
                    int xx = horizontal ? x + k : x, yy = horizontal ? y : y + k;
                    if (xx >= 0 && xx < w && yy >= 0 && yy < h)
                    {
                        sum += src[(yy * w) + xx];
                        n++;
                    }
                }

                dst[(y * w) + x] = (float)(sum / n);
            }
        }

        return dst;
    }
}
