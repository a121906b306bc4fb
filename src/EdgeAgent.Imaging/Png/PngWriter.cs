using System.Buffers.Binary;
using System.IO.Compression;

namespace EdgeAgent.Imaging.Png;

/// <summary>
/// Writes non-interlaced PNGs: 8- or 16-bit grey and 8-bit RGB. Used for masks, synthetic data
/// and tests that need 16-bit files (SkiaSharp cannot encode 16-bit grey).
/// </summary>
public static class PngWriter
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>8-bit grey from bytes (row-major).</summary>
    public static byte[] WriteGray8(int width, int height, ReadOnlySpan<byte> pixels) =>
        Write(width, height, 8, 0, pixels.ToArray(), 1);

    /// <summary>16-bit grey from samples (row-major), stored big-endian as PNG requires.</summary>
    public static byte[] WriteGray16(int width, int height, ReadOnlySpan<ushort> pixels)
    {
        var raw = new byte[pixels.Length * 2];
        for (var i = 0; i < pixels.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(i * 2), pixels[i]);
        }
        return Write(width, height, 16, 0, raw, 2);
    }

    /// <summary>8-bit RGB from interleaved bytes.</summary>
    public static byte[] WriteRgb8(int width, int height, ReadOnlySpan<byte> rgb) =>
        Write(width, height, 8, 2, rgb.ToArray(), 3);

    /// <summary>An image as 8-bit PNG (grey or RGB), samples rounded and clamped to 0..255.</summary>
    public static byte[] Write(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var bytes = new byte[image.Pixels.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)Math.Clamp(MathF.Round(image.Pixels[i]), 0f, 255f);
        }
        return image.Channels == 1 ? WriteGray8(image.Width, image.Height, bytes) : WriteRgb8(image.Width, image.Height, bytes);
    }

    private static byte[] Write(int width, int height, int bitDepth, byte colourType, byte[] raw, int bytesPerPixel)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var stride = width * bytesPerPixel;
        if (raw.Length != stride * height)
        {
            throw new ArgumentException($"pixel buffer holds {raw.Length} bytes, expected {stride * height}");
        }
        using var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = colourType;
        WriteChunk(output, "IHDR"u8, ihdr);

        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            // Filter "Up" (2) on every row after the first: cheap and effective on smooth images.
            var filtered = new byte[stride + 1];
            for (var y = 0; y < height; y++)
            {
                var row = raw.AsSpan(y * stride, stride);
                filtered[0] = y == 0 ? (byte)0 : (byte)2;
                for (var i = 0; i < stride; i++)
                {
                    filtered[i + 1] = y == 0 ? row[i] : (byte)(row[i] - raw[((y - 1) * stride) + i]);
                }
                z.Write(filtered);
            }
        }
        WriteChunk(output, "IDAT"u8, compressed.ToArray());
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(type, data));
        output.Write(word);
    }
}
