using EdgeAgent.Devices.Camera;
using SkiaSharp;

namespace EdgeAgent.Devices.Frames;

/// <summary>Turns a capture device's frame (YUYV, MJPEG or GREY) into luminance in [0, 1].</summary>
public sealed class FrameDecoder
{
    // BT.601 video range: black at 16, white at 235 (219 steps).
    private const float VideoBlack = 16f;
    private const float VideoSpan = 219f;

    private readonly bool _fullRangeYuyv;

    /// <param name="fullRangeYuyv">True when the device sends luma 0..255 instead of video range 16..235.</param>
    public FrameDecoder(bool fullRangeYuyv = false)
    {
        _fullRangeYuyv = fullRangeYuyv;
    }

    public GreyFrame Decode(RawFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return frame.Format switch
        {
            FramePixelFormat.Yuyv => DecodeYuyv(frame),
            FramePixelFormat.Grey => DecodeGrey(frame),
            FramePixelFormat.Mjpeg => DecodeMjpeg(frame),
            _ => throw new FrameDecodeException($"{frame.DeviceName}: pixel format {frame.Format} is not supported."),
        };
    }

    private GreyFrame DecodeYuyv(RawFrame frame)
    {
        var stride = RowStride(frame, bytesPerPixel: 2);
        var pixels = new float[frame.Width * frame.Height];
        var data = frame.Data;
        for (var y = 0; y < frame.Height; y++)
        {
            var row = y * stride;
            var outRow = y * frame.Width;
            // Y0 U Y1 V: luma sits at every even byte; chroma does not matter for a grey image.
            for (var x = 0; x < frame.Width; x++)
            {
                pixels[outRow + x] = Luma(data[row + (2 * x)]);
            }
        }

        return new GreyFrame(frame.Width, frame.Height, pixels);
    }

    private static GreyFrame DecodeGrey(RawFrame frame)
    {
        var stride = RowStride(frame, bytesPerPixel: 1);
        var pixels = new float[frame.Width * frame.Height];
        for (var y = 0; y < frame.Height; y++)
        {
            for (var x = 0; x < frame.Width; x++)
            {
                pixels[(y * frame.Width) + x] = frame.Data[(y * stride) + x] / 255f;
            }
        }

        return new GreyFrame(frame.Width, frame.Height, pixels);
    }

    private static GreyFrame DecodeMjpeg(RawFrame frame)
    {
        var jpeg = CheckJpeg(frame.Data, frame.DeviceName);
        using var decoded = SKBitmap.Decode(jpeg)
            ?? throw new FrameDecodeException($"{frame.DeviceName}: the MJPEG frame ({frame.Data.Length} bytes) is not a readable JPEG.");
        var pixels = new float[decoded.Width * decoded.Height];
        var bytes = decoded.GetPixelSpan();
        var rowBytes = decoded.RowBytes;
        if (decoded.ColorType == SKColorType.Gray8)
        {
            // A monochrome JPEG (common for grabbers and mono cameras): its one channel is the luma.
            for (var y = 0; y < decoded.Height; y++)
            {
                for (var x = 0; x < decoded.Width; x++)
                {
                    pixels[(y * decoded.Width) + x] = bytes[(y * rowBytes) + x] / 255f;
                }
            }

            return new GreyFrame(decoded.Width, decoded.Height, pixels);
        }

        var (red, blue) = decoded.ColorType switch
        {
            SKColorType.Rgba8888 => (0, 2),
            SKColorType.Bgra8888 => (2, 0),
            _ => throw new FrameDecodeException($"{frame.DeviceName}: the MJPEG frame decoded to {decoded.ColorType}, expected 8-bit grey or RGBA."),
        };
        for (var y = 0; y < decoded.Height; y++)
        {
            for (var x = 0; x < decoded.Width; x++)
            {
                var p = (y * rowBytes) + (4 * x);
                // BT.601 luma, the weights JPEG itself uses for Y.
                pixels[(y * decoded.Width) + x] = ((0.299f * bytes[p + red]) + (0.587f * bytes[p + 1]) + (0.114f * bytes[p + blue])) / 255f;
            }
        }

        return new GreyFrame(decoded.Width, decoded.Height, pixels);
    }

    /// <summary>Checks the JPEG start marker so that garbage gets a clear message rather than a null bitmap.</summary>
    /// <remarks>
    /// UVC cameras leave the Huffman tables (DHT) out of MJPEG frames; libjpeg-turbo, which SkiaSharp
    /// decodes with, falls back to the standard tables of ITU-T T.81 Annex K.3 as UVC intends.
    /// </remarks>
    private static byte[] CheckJpeg(byte[] jpeg, string deviceName)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            throw new FrameDecodeException($"{deviceName}: the MJPEG frame does not start with a JPEG start-of-image marker.");
        }

        return jpeg;
    }

    private float Luma(byte y) =>
        _fullRangeYuyv ? y / 255f : Math.Clamp((y - VideoBlack) / VideoSpan, 0f, 1f);

    private static int RowStride(RawFrame frame, int bytesPerPixel)
    {
        var packed = frame.Width * bytesPerPixel;
        // Drivers may pad each row (bytesperline > width * bpp); the padding is the same on every row.
        if (frame.Data.Length == packed * frame.Height)
        {
            return packed;
        }

        if (frame.Data.Length > packed * frame.Height && frame.Data.Length % frame.Height == 0)
        {
            return frame.Data.Length / frame.Height;
        }

        throw new FrameDecodeException(
            $"{frame.DeviceName}: a {frame.Width}x{frame.Height} {frame.Format} frame needs {packed * frame.Height} bytes, " +
            $"the device sent {frame.Data.Length}. Set {CameraOptions.SectionName}:Width/Height to a size the device offers " +
            "(`v4l2-ctl --list-formats-ext`).");
    }
}
