namespace EdgeAgent.Training.Data;

/// <summary>A single-channel image with pixels 0..255 in row-major order.</summary>
public sealed class GrayImage
{
    public GrayImage(int width, int height, float[] pixels)
    {
        if (pixels.Length != width * height)
        {
            throw new ArgumentException($"Expected {width * height} pixels for {width}x{height}, got {pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public float[] Pixels { get; }

    /// <summary>Bilinear sample at a continuous position (pixel centres at integer + 0.5); outside reads <paramref name="fill"/>.</summary>
    public float Sample(float x, float y, float fill)
    {
        var fx = x - 0.5f;
        var fy = y - 0.5f;
        var x0 = (int)MathF.Floor(fx);
        var y0 = (int)MathF.Floor(fy);
        var ax = fx - x0;
        var ay = fy - y0;
        var p00 = At(x0, y0, fill);
        var p10 = At(x0 + 1, y0, fill);
        var p01 = At(x0, y0 + 1, fill);
        var p11 = At(x0 + 1, y0 + 1, fill);
        return ((1 - ay) * (((1 - ax) * p00) + (ax * p10))) + (ay * (((1 - ax) * p01) + (ax * p11)));
    }

    /// <summary>Resizes exactly as the agent's preprocessing does (area average when shrinking, bilinear when growing).</summary>
    public GrayImage Resize(int width, int height) =>
        width == Width && height == Height
            ? this
            : new GrayImage(width, height, EdgeAgent.Imaging.Preprocessing.ImageResizer.ResizePlane(Pixels, Width, Height, 1, width, height));

    private float At(int x, int y, float fill) =>
        x < 0 || y < 0 || x >= Width || y >= Height ? fill : Pixels[(y * Width) + x];
}
