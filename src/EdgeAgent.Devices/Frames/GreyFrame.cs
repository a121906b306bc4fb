using EdgeAgent.Imaging;

namespace EdgeAgent.Devices.Frames;

/// <summary>
/// A decoded frame as luminance in [0, 1], row-major. X-rays carry no colour, so this is all the
/// diagnosis needs; the agent turns it into the imaging library's image type.
/// </summary>
public sealed class GreyFrame
{
    public GreyFrame(int width, int height, float[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (pixels.Length != width * height)
        {
            throw new ArgumentException($"A {width}x{height} frame needs {width * height} pixels, got {pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Luminance, 0 = black, 1 = white.</summary>
    public float[] Pixels { get; }

    public float this[int x, int y] => Pixels[(y * Width) + x];

    /// <summary>The frame as the imaging library's one-channel image (samples on its 0..255 scale).</summary>
    /// <param name="format">Where it came from, e.g. "yuyv" or "mjpeg", shown in results.</param>
    public DecodedImage ToDecodedImage(string format)
    {
        var samples = new float[Pixels.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = Pixels[i] * 255f;
        }

        return new DecodedImage(Width, Height, channels: 1, samples, format);
    }
}
