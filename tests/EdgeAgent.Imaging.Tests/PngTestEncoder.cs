using System.Buffers.Binary;
using System.IO.Compression;

namespace EdgeAgent.Imaging.Tests;

/// <summary>
/// A test-only PNG encoder that can use every row filter and Adam7 interlacing, to exercise the
/// decoder paths the production writer (filters None/Up, no interlace) never produces.
/// </summary>
internal static class PngTestEncoder
{
    private static readonly (int X0, int Y0, int DX, int DY)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>16-bit samples, <paramref name="channels"/> per pixel (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).</summary>
    public static byte[] Encode16(int width, int height, int channels, ushort[] samples, bool interlaced)
    {
        var colourType = channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };
        var bpp = channels * 2;
        var raw = new MemoryStream();
        var passes = interlaced ? Adam7 : [(0, 0, 1, 1)];
        var rowCounter = 0;
        foreach (var (x0, y0, dx, dy) in passes)
        {
            var pw = (width - x0 + dx - 1) / dx;
            var ph = (height - y0 + dy - 1) / dy;
            if (pw <= 0 || ph <= 0)
            {
                continue;
            }
            var previous = new byte[pw * bpp];
            for (var r = 0; r < ph; r++)
            {
                var row = new byte[pw * bpp];
                for (var c = 0; c < pw; c++)
                {
                    var pixel = ((y0 + (r * dy)) * width) + x0 + (c * dx);
                    for (var k = 0; k < channels; k++)
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan((c * bpp) + (k * 2)), samples[(pixel * channels) + k]);
                    }
                }
                var filter = (byte)(rowCounter++ % 5);
                raw.WriteByte(filter);
                raw.Write(Filter(filter, row, previous, bpp));
                previous = row;
            }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(raw.ToArray());
        }
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 16;
        ihdr[9] = (byte)colourType;
        ihdr[12] = interlaced ? (byte)1 : (byte)0;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static byte[] Filter(byte type, byte[] row, byte[] previous, int bpp)
    {
        var output = new byte[row.Length];
        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
            var predictor = type switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                _ => Paeth(a, b, c),
            };
            output[i] = (byte)(row[i] - predictor);
        }
        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(header, 4);
        s.Write(header);
        s.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Png.Crc32.Compute(header.AsSpan(4), data));
        s.Write(crc);
    }
}
