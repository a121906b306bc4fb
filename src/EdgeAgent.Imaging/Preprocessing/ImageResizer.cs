using System.Numerics;
using System.Runtime.InteropServices;

namespace EdgeAgent.Imaging.Preprocessing;

/// <summary>
/// Resizes float images separably: an exact area average on an axis that shrinks (every source
/// pixel contributes its covered fraction, so no aliasing) and bilinear interpolation with
/// half-pixel centres on an axis that grows.
/// </summary>
public static class ImageResizer
{
    public static DecodedImage Resize(DecodedImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (width == image.Width && height == image.Height)
        {
            return image;
        }
        var pixels = ResizePlane(image.Pixels, image.Width, image.Height, image.Channels, width, height);
        return new DecodedImage(width, height, image.Channels, pixels, image.Format, image.Dicom, image.BitsPerSample);
    }

    /// <summary>Resizes interleaved samples with <paramref name="channels"/> per pixel.</summary>
    public static float[] ResizePlane(float[] source, int sourceWidth, int sourceHeight, int channels, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        var horizontal = Weights(sourceWidth, width);
        var vertical = Weights(sourceHeight, height);

        // Horizontal pass: sourceHeight rows of `width` pixels. Each sample sums its taps in order
        // from zero, exactly as the vertical pass below accumulates rows, so results do not depend
        // on how the loops are arranged.
        var temp = new float[sourceHeight * width * channels];
        var rowLength = width * channels;
        for (var y = 0; y < sourceHeight; y++)
        {
            var rowIn = source.AsSpan(y * sourceWidth * channels, sourceWidth * channels);
            var rowOut = temp.AsSpan(y * rowLength, rowLength);
            for (var x = 0; x < width; x++)
            {
                var taps = horizontal[x];
                for (var c = 0; c < channels; c++)
                {
                    var sum = 0f;
                    foreach (var (index, weight) in taps)
                    {
                        sum += rowIn[(index * channels) + c] * weight;
                    }
                    rowOut[(x * channels) + c] = sum;
                }
            }
        }

        var output = new float[height * rowLength];
        for (var y = 0; y < height; y++)
        {
            var rowOut = output.AsSpan(y * rowLength, rowLength);
            foreach (var (index, weight) in vertical[y])
            {
                AddScaled(rowOut, temp.AsSpan(index * rowLength, rowLength), weight);
            }
        }
        return output;
    }

    /// <summary>target[i] += source[i] * weight, a SIMD vector at a time (separate multiply and add, as scalar code rounds).</summary>
    private static void AddScaled(Span<float> target, ReadOnlySpan<float> source, float weight)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && target.Length >= Vector<float>.Count)
        {
            var w = new Vector<float>(weight);
            var targetVectors = MemoryMarshal.Cast<float, Vector<float>>(target);
            var sourceVectors = MemoryMarshal.Cast<float, Vector<float>>(source);
            for (var v = 0; v < targetVectors.Length; v++)
            {
                targetVectors[v] += sourceVectors[v] * w;
            }
            i = targetVectors.Length * Vector<float>.Count;
        }
        for (; i < target.Length; i++)
        {
            target[i] += source[i] * weight;
        }
    }

    /// <summary>For each output index, the source indices and weights (summing to 1) along one axis.</summary>
    internal static (int Index, float Weight)[][] Weights(int sourceLength, int length)
    {
        var result = new (int, float)[length][];
        var scale = (double)sourceLength / length;
        for (var o = 0; o < length; o++)
        {
            if (scale > 1)
            {
                // Area: output pixel o covers [o*scale, (o+1)*scale) in source pixels.
                double start = o * scale, end = (o + 1) * scale;
                var first = (int)Math.Floor(start);
                var last = Math.Min((int)Math.Ceiling(end) - 1, sourceLength - 1);
                var list = new List<(int, float)>(last - first + 1);
                for (var i = first; i <= last; i++)
                {
                    var covered = Math.Min(end, i + 1) - Math.Max(start, i);
                    if (covered > 0)
                    {
                        list.Add((i, (float)(covered / scale)));
                    }
                }
                result[o] = [.. list];
            }
            else
            {
                // Bilinear with half-pixel centres, clamped at the borders.
                var centre = ((o + 0.5) * scale) - 0.5;
                var left = (int)Math.Floor(centre);
                var frac = (float)(centre - left);
                int i0 = Math.Clamp(left, 0, sourceLength - 1), i1 = Math.Clamp(left + 1, 0, sourceLength - 1);
                result[o] = i0 == i1 ? [(i0, 1f)] : [(i0, 1f - frac), (i1, frac)];
            }
        }
        return result;
    }
}
