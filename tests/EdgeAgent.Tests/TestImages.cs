using System.IO.Compression;
using System.Buffers.Binary;
using SkiaSharp;

namespace EdgeAgent.Tests;

/// <summary>Image files for the tests, made on the fly.</summary>
internal static class TestImages
{
    /// <summary>A seeded grey noise image, different for every seed, encoded as PNG or JPEG.</summary>
    public static byte[] Noise(int seed, int size = 48, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var v = (byte)random.Next(256);
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>A seeded smooth greyscale gradient with noise, as an 8-bit grey PNG or JPEG (grey JPEG is what img2dcm wraps unchanged).</summary>
    public static byte[] GreyGradient(int seed, int size, SKEncodedImageFormat format)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Gray8, SKAlphaType.Opaque));
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)Math.Clamp((x + y) * 255 / (2 * size) + random.Next(-20, 20), 0, 255), 0, 0));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>
    /// A valid greyscale PNG of width × height black pixels, written row by row so the test never holds the
    /// decoded pixels (20000×20000 would be 400 MB); it compresses to well under a megabyte.
    /// </summary>
    public static void WriteHugePng(string path, int width, int height)
    {
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 0; // greyscale
        WriteChunk(file, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[width + 1]; // filter byte 0 then the pixels
            for (var y = 0; y < height; y++)
            {
                zlib.Write(row);
            }
        }

        WriteChunk(file, "IDAT", compressed.ToArray());
        WriteChunk(file, "IEND", []);
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = Crc32(typeBytes, data);
        BinaryPrimitives.WriteUInt32BigEndian(length, crc);
        stream.Write(length);
    }

    private static uint Crc32(byte[] type, byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in type.Concat(data))
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
