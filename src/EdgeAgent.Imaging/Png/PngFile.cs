using System.Buffers.Binary;
using System.IO.Compression;

namespace EdgeAgent.Imaging.Png;

/// <summary>
/// Reads the PNG container: the header (so oversize images are refused before any allocation),
/// a walk over the chunks (so truncation and corruption give a precise reason) and a full decoder
/// for 16-bit images, which SkiaSharp would reduce to 8 bits.
/// </summary>
internal static class PngFile
{
    public const int SignatureLength = 8;

    internal readonly record struct Header(int Width, int Height, int BitDepth, int ColourType, bool Interlaced);

    public static Header ReadHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length < SignatureLength + 8 + 13)
        {
            throw new ImageDecodeException($"truncated PNG: {data.Length} bytes is shorter than the PNG header");
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(data[8..]);
        if (length != 13 || !data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new ImageDecodeException("corrupt PNG: the first chunk is not a 13-byte IHDR header");
        }
        var width = BinaryPrimitives.ReadInt32BigEndian(data[16..]);
        var height = BinaryPrimitives.ReadInt32BigEndian(data[20..]);
        int depth = data[24], colour = data[25], interlace = data[28];
        if (width <= 0 || height <= 0)
        {
            throw new ImageDecodeException($"corrupt PNG: header gives an impossible size {width}x{height}");
        }
        var valid = colour switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!valid || interlace > 1)
        {
            throw new ImageDecodeException($"corrupt PNG: colour type {colour} with bit depth {depth} (interlace {interlace}) is not a valid combination");
        }
        return new Header(width, height, depth, colour, interlace == 1);
    }

    /// <summary>Walks every chunk, checking lengths and CRCs, and returns the concatenated IDAT payload length.</summary>
    public static long ValidateChunks(ReadOnlySpan<byte> data)
    {
        var pos = SignatureLength;
        long idat = 0;
        while (true)
        {
            if (pos + 8 > data.Length)
            {
                throw new ImageDecodeException($"truncated PNG: the file ends at byte {data.Length} before the IEND chunk (incomplete copy or download?)");
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            var type = data.Slice(pos + 4, 4);
            var name = System.Text.Encoding.ASCII.GetString(type);
            if (length > int.MaxValue || pos + 12L + length > data.Length)
            {
                throw new ImageDecodeException($"truncated PNG: chunk {name} at byte {pos} claims {length} bytes but the file ends at byte {data.Length}");
            }
            var body = data.Slice(pos + 8, (int)length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)length)..]);
            if (Crc32.Compute(type, body) != crc)
            {
                throw new ImageDecodeException($"corrupt PNG: checksum of chunk {name} at byte {pos} does not match (damaged file)");
            }
            if (type.SequenceEqual("IDAT"u8))
            {
                idat += length;
            }
            pos += 12 + (int)length;
            if (type.SequenceEqual("IEND"u8))
            {
                break;
            }
        }
        if (idat == 0)
        {
            throw new ImageDecodeException("corrupt PNG: no image data (IDAT) chunk");
        }
        return idat;
    }

    /// <summary>Decodes a 16-bit PNG (grey, grey+alpha, RGB, RGBA; interlaced or not) at full precision.</summary>
    public static DecodedImage Decode16(ReadOnlySpan<byte> data, Header header)
    {
        var samplesPerPixel = header.ColourType switch { 0 => 1, 4 => 2, 2 => 3, 6 => 4, _ => throw new ImageDecodeException($"16-bit PNG colour type {header.ColourType} is not supported") };
        var bytesPerPixel = samplesPerPixel * 2;
        var compressed = new MemoryStream();
        var pos = SignatureLength;
        while (pos + 8 <= data.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            var type = data.Slice(pos + 4, 4);
            if (type.SequenceEqual("IDAT"u8))
            {
                compressed.Write(data.Slice(pos + 8, length));
            }
            if (type.SequenceEqual("IEND"u8))
            {
                break;
            }
            pos += 12 + length;
        }
        compressed.Position = 0;

        var passes = header.Interlaced ? Adam7Passes : [new Pass(0, 0, 1, 1)];
        long rawLength = 0;
        foreach (var p in passes)
        {
            var (pw, ph) = p.Size(header.Width, header.Height);
            if (pw > 0 && ph > 0)
            {
                rawLength += ph * ((pw * (long)bytesPerPixel) + 1);
            }
        }
        var raw = new byte[rawLength];
        using (var z = new ZLibStream(compressed, CompressionMode.Decompress))
        {
            int read, total = 0;
            try
            {
                while (total < raw.Length && (read = z.Read(raw, total, raw.Length - total)) > 0)
                {
                    total += read;
                }
            }
            catch (InvalidDataException e)
            {
                throw new ImageDecodeException($"corrupt PNG: the compressed image data is damaged ({e.Message})", e);
            }
            if (total < raw.Length)
            {
                throw new ImageDecodeException($"truncated PNG: image data holds {total} of {raw.Length} bytes");
            }
        }

        var colourOut = header.ColourType is 2 or 6 ? 3 : 1;
        var pixels = new float[(long)header.Width * header.Height * colourOut];
        var offset = 0;
        foreach (var p in passes)
        {
            var (pw, ph) = p.Size(header.Width, header.Height);
            if (pw == 0 || ph == 0)
            {
                continue;
            }
            var stride = pw * bytesPerPixel;
            var previous = new byte[stride];
            var current = new byte[stride];
            for (var row = 0; row < ph; row++)
            {
                var filter = raw[offset];
                raw.AsSpan(offset + 1, stride).CopyTo(current);
                offset += stride + 1;
                Unfilter(filter, current, previous, bytesPerPixel);
                var y = p.Y0 + (row * p.DY);
                for (var col = 0; col < pw; col++)
                {
                    var x = p.X0 + (col * p.DX);
                    var dst = (((long)y * header.Width) + x) * colourOut;
                    for (var c = 0; c < colourOut; c++)
                    {
                        var sample = BinaryPrimitives.ReadUInt16BigEndian(current.AsSpan((col * bytesPerPixel) + (c * 2)));
                        pixels[dst + c] = sample * (255f / 65535f);
                    }
                }
                (previous, current) = (current, previous);
            }
        }
        return new DecodedImage(header.Width, header.Height, colourOut, pixels, "png", bitsPerSample: 16);
    }

    private static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        switch (filter)
        {
            case 0:
                break;
            case 1:
                for (var i = bpp; i < row.Length; i++) { row[i] += row[i - bpp]; }
                break;
            case 2:
                for (var i = 0; i < row.Length; i++) { row[i] += previous[i]; }
                break;
            case 3:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= bpp ? row[i - bpp] : 0;
                    row[i] += (byte)((left + previous[i]) >> 1);
                }
                break;
            case 4:
                for (var i = 0; i < row.Length; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
                    int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - c - c);
                    row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                break;
            default:
                throw new ImageDecodeException($"corrupt PNG: unknown row filter type {filter}");
        }
    }

    private readonly record struct Pass(int X0, int Y0, int DX, int DY)
    {
        public (int Width, int Height) Size(int width, int height) =>
            ((width - X0 + DX - 1) / DX, (height - Y0 + DY - 1) / DY);
    }

    private static readonly Pass[] Adam7Passes =
    [
        new(0, 0, 8, 8), new(4, 0, 8, 8), new(0, 4, 4, 8), new(2, 0, 4, 4),
        new(0, 2, 2, 4), new(1, 0, 2, 2), new(0, 1, 1, 2),
    ];
}
