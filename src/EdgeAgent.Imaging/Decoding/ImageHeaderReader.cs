using System.Buffers.Binary;

namespace EdgeAgent.Imaging.Decoding;

/// <summary>
/// Reads width and height from the container header without decoding, so an oversize image is
/// refused before any pixel memory is allocated.
/// </summary>
internal static class ImageHeaderReader
{
    public static (int Width, int Height) ReadSize(ImageFormat format, ReadOnlySpan<byte> data) => format switch
    {
        ImageFormat.Png => PngSize(data),
        ImageFormat.Jpeg => JpegSize(data),
        ImageFormat.Bmp => BmpSize(data),
        ImageFormat.WebP => WebPSize(data),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "no header reader"),
    };

    private static (int, int) PngSize(ReadOnlySpan<byte> data)
    {
        var h = Png.PngFile.ReadHeader(data);
        return (h.Width, h.Height);
    }

    private static (int, int) JpegSize(ReadOnlySpan<byte> data)
    {
        var pos = 2;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF)
            {
                throw new ImageDecodeException($"corrupt JPEG: expected a marker at byte {pos}");
            }
            var marker = data[pos + 1];
            if (marker == 0xFF)
            {
                pos++;
                continue;
            }
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                pos += 2;
                continue;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            if (length < 2)
            {
                throw new ImageDecodeException($"corrupt JPEG: segment at byte {pos} has length {length}");
            }
            var isFrame = marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC);
            if (isFrame)
            {
                if (pos + 9 > data.Length)
                {
                    break;
                }
                var height = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 5)..]);
                var width = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 7)..]);
                if (width == 0 || height == 0)
                {
                    throw new ImageDecodeException($"corrupt JPEG: frame header gives size {width}x{height}");
                }
                return (width, height);
            }
            if (marker is 0xDA or 0xD9)
            {
                break;
            }
            pos += 2 + length;
        }
        throw new ImageDecodeException("truncated JPEG: no frame header (SOF) before the end of the file");
    }

    private static (int, int) BmpSize(ReadOnlySpan<byte> data)
    {
        var headerSize = BinaryPrimitives.ReadInt32LittleEndian(data[14..]);
        if (headerSize == 12)
        {
            return (BinaryPrimitives.ReadUInt16LittleEndian(data[18..]), BinaryPrimitives.ReadUInt16LittleEndian(data[20..]));
        }
        var width = BinaryPrimitives.ReadInt32LittleEndian(data[18..]);
        var height = BinaryPrimitives.ReadInt32LittleEndian(data[22..]);
        if (width <= 0 || height == 0 || height == int.MinValue)
        {
            throw new ImageDecodeException($"corrupt BMP: header gives size {width}x{height}");
        }
        return (width, Math.Abs(height));
    }

    private static (int, int) WebPSize(ReadOnlySpan<byte> data)
    {
        if (data.Length < 30)
        {
            throw new ImageDecodeException("truncated WebP: the file is shorter than its header");
        }
        var chunk = data.Slice(12, 4);
        if (chunk.SequenceEqual("VP8X"u8))
        {
            var w = 1 + (data[24] | (data[25] << 8) | (data[26] << 16));
            var h = 1 + (data[27] | (data[28] << 8) | (data[29] << 16));
            return (w, h);
        }
        if (chunk.SequenceEqual("VP8L"u8))
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[21..]);
            return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }
        if (chunk.SequenceEqual("VP8 "u8))
        {
            return (BinaryPrimitives.ReadUInt16LittleEndian(data[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[28..]) & 0x3FFF);
        }
        throw new ImageDecodeException("corrupt WebP: unknown first chunk");
    }
}
