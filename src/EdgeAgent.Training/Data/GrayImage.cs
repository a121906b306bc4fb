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

    /// <summary>Resizes with an area average when shrinking (no aliasing) and bilinear when growing.</summary>
    public GrayImage Resize(int width, int height)
    {
        if (width == Width && height == Height)
        {
            return this;
        }

        var output = new float[width * height];
        var sx = (float)Width / width;
        var sy = (float)Height / height;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (sx <= 1 && sy <= 1)
                {
                    output[(y * width) + x] = Sample((x + 0.5f) * sx, (y + 0.5f) * sy, Edge(x, y, sx, sy));
                    continue;
                }

                var left = x * sx;
                var right = left + sx;
                var top = y * sy;
                var bottom = top + sy;
                double sum = 0;
                double weight = 0;
                for (var yy = (int)top; yy < Math.Min(Height, (int)MathF.Ceiling(bottom)); yy++)
                {
                    var wy = Math.Min(bottom, yy + 1) - Math.Max(top, yy);
                    for (var xx = (int)left; xx < Math.Min(Width, (int)MathF.Ceiling(right)); xx++)
                    {
                        var w = wy * (Math.Min(right, xx + 1) - Math.Max(left, xx));
                        sum += w * Pixels[(yy * Width) + xx];
                        weight += w;
                    }
                }

                output[(y * width) + x] = (float)(sum / weight);
            }
        }

        return new GrayImage(width, height, output);
    }

    private float Edge(int x, int y, float sx, float sy) =>
        Pixels[(Math.Clamp((int)((y + 0.5f) * sy), 0, Height - 1) * Width) + Math.Clamp((int)((x + 0.5f) * sx), 0, Width - 1)];

    private float At(int x, int y, float fill) =>
        x < 0 || y < 0 || x >= Width || y >= Height ? fill : Pixels[(y * Width) + x];
}
