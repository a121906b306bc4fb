using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace EdgeAgent.Hub.Tests.Support;

/// <summary>Writes small, valid RGB PNGs (a colour gradient) so overlays are real images a browser can decode.</summary>
internal static class TestPng
{
    public static byte[] Gradient(int width, int height, int seed = 0) =>
        FromFunction(width, height, (x, y) => (
            (byte)((x * 255 / Math.Max(1, width - 1) + seed) & 0xFF),
            (byte)(y * 255 / Math.Max(1, height - 1)),
            (byte)(128 + seed)));

    /// <summary>
    /// A stand-in for an agent's overlay: a grey chest-like phantom (two lung fields) with a red-yellow heat blob
    /// blended over the lower right lung, so a screenshot looks like what a radiographer sees.
    /// </summary>
    public static byte[] PhantomOverlay(int size)
    {
        return FromFunction(size, size, (x, y) =>
        {
            double u = (double)x / size, v = (double)y / size;
            static double Ellipse(double u, double v, double cx, double cy, double rx, double ry) =>
                ((u - cx) * (u - cx) / (rx * rx)) + ((v - cy) * (v - cy) / (ry * ry));
            var body = Ellipse(u, v, 0.5, 0.55, 0.42, 0.48) < 1 ? 150.0 : 25.0;
            var lung = Ellipse(u, v, 0.32, 0.5, 0.14, 0.3) < 1 || Ellipse(u, v, 0.68, 0.5, 0.14, 0.3) < 1 ? -90.0 : 0.0;
            var grey = Math.Clamp(body + lung + 10 * Math.Sin(v * 40), 0, 255);
            var heat = Math.Exp(-Ellipse(u, v, 0.66, 0.62, 0.12, 0.14) * 1.5);
            var (hr, hg, hb) = (255.0, 255 * Math.Clamp(heat * 1.6 - 0.3, 0, 1), 0.0);
            var alpha = 0.65 * heat;
            return ((byte)(grey * (1 - alpha) + hr * alpha), (byte)(grey * (1 - alpha) + hg * alpha), (byte)(grey * (1 - alpha) + hb * alpha));
        });
    }

    public static byte[] FromFunction(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                raw.WriteByte(r);
                raw.WriteByte(g);
                raw.WriteByte(b);
            }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(z);
        }
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type RGB
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A PNG padded past a size with an ancillary chunk (decoders skip it), for size-limit tests.</summary>
    public static byte[] LargerThan(int bytes)
    {
        var small = Gradient(8, 8);
        var padded = new MemoryStream();
        padded.Write(small, 0, small.Length - 12); // everything before IEND
        Chunk(padded, "tEXt", Encoding.ASCII.GetBytes("pad\0" + new string('x', bytes)));
        Chunk(padded, "IEND", []);
        return padded.ToArray();
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = Crc32(typeBytes, data);
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        stream.Write(crcBytes);
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
        return ~crc;
    }
}
