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
}
