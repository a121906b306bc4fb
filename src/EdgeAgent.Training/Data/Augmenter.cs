namespace EdgeAgent.Training.Data;

/// <summary>Seeded geometric and photometric jitter of a gray image (same size out).</summary>
public static class Augmenter
{
    public static GrayImage Apply(GrayImage image, AugmentationOptions options, Random random)
    {
        var angle = (float)((random.NextDouble() * 2) - 1) * options.MaxRotationDegrees * MathF.PI / 180f;
        var gain = 1f + ((float)((random.NextDouble() * 2) - 1) * options.Exposure);
        var contrast = 1f + ((float)((random.NextDouble() * 2) - 1) * options.Contrast);
        var mean = image.Pixels.Average();
        var cos = MathF.Cos(angle);
        var sin = MathF.Sin(angle);
        var cx = image.Width / 2f;
        var cy = image.Height / 2f;
        // Corners uncovered by the rotation read as the darkest border value, like the X-ray background.
        var fill = Math.Min(Math.Min(image.Pixels[0], image.Pixels[image.Width - 1]), Math.Min(image.Pixels[^1], image.Pixels[^image.Width]));
        var output = new float[image.Pixels.Length];
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                // Inverse mapping: rotate the output position back into the source image.
                var dx = x + 0.5f - cx;
                var dy = y + 0.5f - cy;
                var value = image.Sample(cx + (cos * dx) + (sin * dy), cy - (sin * dx) + (cos * dy), fill);
                value = (((value - mean) * contrast) + mean) * gain;
                output[(y * image.Width) + x] = Math.Clamp(value, 0f, 255f);
            }
        }

        return new GrayImage(image.Width, image.Height, output);
    }
}
