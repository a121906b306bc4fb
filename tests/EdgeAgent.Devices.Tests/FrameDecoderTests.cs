using EdgeAgent.Devices.Camera;
using EdgeAgent.Devices.Frames;
using SkiaSharp;

namespace EdgeAgent.Devices.Tests;

public sealed class FrameDecoderTests
{
    private static RawFrame Frame(byte[] data, int width, int height, FramePixelFormat format) =>
        new(data, width, height, format, DateTimeOffset.UnixEpoch, "/dev/video-test");

    [Fact]
    public void Yuyv_video_range_maps_16_to_black_and_235_to_white_and_ignores_chroma()
    {
        // 4x1 pixels: Y = 16, 235, 126, 0 with wild chroma that must not leak into luminance.
        byte[] data = [16, 0, 235, 255, 126, 37, 0, 200];
        var grey = new FrameDecoder().Decode(Frame(data, 4, 1, FramePixelFormat.Yuyv));

        Assert.Equal(0f, grey[0, 0]);
        Assert.Equal(1f, grey[1, 0]);
        Assert.Equal(110f / 219f, grey[2, 0], 6); // float32 division: exact to ~1e-7
        Assert.Equal(0f, grey[3, 0]); // below video black clamps to black
    }

    [Fact]
    public void Yuyv_full_range_maps_0_to_black_and_255_to_white()
    {
        byte[] data = [0, 128, 255, 128, 51, 128, 204, 128];
        var grey = new FrameDecoder(fullRangeYuyv: true).Decode(Frame(data, 4, 1, FramePixelFormat.Yuyv));

        Assert.Equal([0f, 1f, 0.2f, 0.8f], grey.Pixels);
    }

    [Fact]
    public void Yuyv_rows_padded_by_the_driver_are_read_with_their_stride()
    {
        // 2x2 pixels, each row padded from 4 to 8 bytes (bytesperline 8).
        byte[] data = [16, 128, 235, 128, 99, 99, 99, 99, 235, 128, 16, 128, 99, 99, 99, 99];
        var grey = new FrameDecoder().Decode(Frame(data, 2, 2, FramePixelFormat.Yuyv));

        Assert.Equal([0f, 1f, 1f, 0f], grey.Pixels);
    }

    [Fact]
    public void Yuyv_frame_of_the_wrong_size_is_refused_naming_the_device_and_the_setting()
    {
        var ex = Assert.Throws<FrameDecodeException>(() => new FrameDecoder().Decode(Frame(new byte[10], 4, 2, FramePixelFormat.Yuyv)));

        Assert.Contains("/dev/video-test", ex.Message);
        Assert.Contains("needs 16 bytes", ex.Message);
        Assert.Contains("Devices:Camera:Width/Height", ex.Message);
    }

    [Fact]
    public void A_decoded_frame_becomes_a_one_channel_image_on_the_imaging_scale()
    {
        var grey = new FrameDecoder().Decode(Frame([16, 128, 235, 128], 2, 1, FramePixelFormat.Yuyv));

        var image = grey.ToDecodedImage("yuyv");

        Assert.Equal((2, 1, 1, "yuyv"), (image.Width, image.Height, image.Channels, image.Format));
        Assert.Equal([0f, 255f], image.Pixels);
    }

    [Fact]
    public void Grey_frames_scale_0_to_255_onto_0_to_1()
    {
        var grey = new FrameDecoder().Decode(Frame([0, 255, 51], 3, 1, FramePixelFormat.Grey));

        Assert.Equal([0f, 1f, 0.2f], grey.Pixels);
    }

    [Fact]
    public void Mjpeg_decodes_to_the_luminance_that_was_encoded()
    {
        var expected = Gradient(64, 48);
        var jpeg = EncodeJpeg(expected, quality: 100);

        var grey = new FrameDecoder().Decode(Frame(jpeg, 64, 48, FramePixelFormat.Mjpeg));

        Assert.Equal(64, grey.Width);
        Assert.Equal(48, grey.Height);
        // Quality 100 quantizes every DCT coefficient with step 1; the inverse DCT spreads that
        // rounding to well under one grey level per pixel, plus one level from YCbCr->RGB->luma rounding.
        // Two levels of 255 bound both.
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(grey.Pixels[i] - (expected[i] / 255f)) <= 2f / 255f, $"pixel {i}: {grey.Pixels[i] * 255} vs {expected[i]}");
        }
    }

    [Fact]
    public void Corrupt_mjpeg_is_refused_with_a_reason()
    {
        var ex = Assert.Throws<FrameDecodeException>(() => new FrameDecoder().Decode(Frame([1, 2, 3, 4, 5], 2, 2, FramePixelFormat.Mjpeg)));

        Assert.Contains("start-of-image", ex.Message);
    }

    private static byte[] Gradient(int width, int height)
    {
        var values = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                values[(y * width) + x] = (byte)(((x * 255) / (width - 1) + (y * 2)) % 256);
            }
        }

        return values;
    }

    private static byte[] EncodeJpeg(byte[] grey, int quality)
    {
        var width = grey.Length == 64 * 48 ? 64 : 16;
        var height = grey.Length / width;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var v = grey[(y * width) + x];
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }
}
