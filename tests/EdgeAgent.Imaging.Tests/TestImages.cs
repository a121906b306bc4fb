using System.Buffers.Binary;
using SkiaSharp;

namespace EdgeAgent.Imaging.Tests;

/// <summary>Builds test inputs in memory: encoded images of known content.</summary>
internal static class TestImages
{
    /// <summary>A smooth grey ramp with a bright square, values 0..255.</summary>
    public static byte[] GreyPattern(int width, int height)
    {
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var v = (x * 255 / Math.Max(1, width - 1) + y * 3) % 256;
                pixels[y * width + x] = (byte)v;
            }
        }
        return pixels;
    }

    public static byte[] Encode(SKColorType type, int width, int height, byte[] pixels, SKEncodedImageFormat format, int quality = 100)
    {
        var info = new SKImageInfo(width, height, type, type == SKColorType.Gray8 ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        pixels.CopyTo(bitmap.GetPixelSpan());
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(format, quality) ?? throw new InvalidOperationException("encode failed");
        return data.ToArray();
    }

    public static byte[] EncodeWebPLossless(int width, int height, byte[] rgba)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        rgba.CopyTo(bitmap.GetPixelSpan());
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100)) ?? throw new InvalidOperationException("encode failed");
        return data.ToArray();
    }

    /// <summary>Inserts an EXIF APP1 segment with the given orientation (1-8) right after the JPEG's SOI marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        var tiff = new byte[8 + 2 + 12 + 4];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);     // offset of IFD0
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);     // one entry
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 0x0112); // Orientation
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 3);    // SHORT
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1);    // count
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(18), orientation);
        // next IFD offset = 0 (already zero)
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return jpeg[..2].Concat(segment).Concat(jpeg[2..]).ToArray();
    }

    /// <summary>An uncompressed 24-bit bottom-up BMP.</summary>
    public static byte[] Bmp24(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var stride = (width * 3 + 3) & ~3;
        var size = 54 + stride * height;
        var bmp = new byte[size];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), size);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), stride * height);
        for (var y = 0; y < height; y++)
        {
            var row = 54 + (height - 1 - y) * stride;
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                bmp[row + x * 3] = b;
                bmp[row + x * 3 + 1] = g;
                bmp[row + x * 3 + 2] = r;
            }
        }
        return bmp;
    }

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgeagent-imaging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
