using System.Buffers.Binary;
using EdgeAgent.Imaging.Decoding;
using EdgeAgent.Imaging.Png;
using SkiaSharp;

namespace EdgeAgent.Imaging.Tests;

public sealed class ImageDecoderTests
{
    [Fact]
    public void Eight_bit_grey_png_decodes_exactly()
    {
        var pixels = TestImages.GreyPattern(40, 30);
        var image = ImageDecoder.Decode(PngWriter.WriteGray8(40, 30, pixels), "a.png");
        Assert.Equal((40, 30, 1, "png"), (image.Width, image.Height, image.Channels, image.Format));
        Assert.Equal(pixels.Select(p => (float)p), image.Pixels);
    }

    [Fact]
    public void Sixteen_bit_grey_png_keeps_full_precision()
    {
        // Neighbouring 16-bit codes must stay distinct: 8-bit reduction would merge 257 of them.
        const int w = 256, h = 4;
        var samples = new ushort[w * h];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (ushort)(1000 + i * 61);
        }
        var image = ImageDecoder.Decode(PngWriter.WriteGray16(w, h, samples), "sixteen.png");
        Assert.Equal(16, image.BitsPerSample);
        for (var i = 0; i < samples.Length; i++)
        {
            // float32 keeps 24 bits of mantissa: relative error of v*255/65535 is below 1e-6.
            var expected = samples[i] * 255.0 / 65535.0;
            Assert.True(Math.Abs(image.Pixels[i] - expected) < 1e-4, $"sample {i}: {image.Pixels[i]} vs {expected}");
        }
        Assert.NotEqual(image.Pixels[0], image.Pixels[1]);
        Assert.True(image.Pixels[1] - image.Pixels[0] < 1f, "consecutive samples 61 codes apart differ by less than one 8-bit level");
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void Sixteen_bit_png_with_every_filter_and_adam7_decodes_exactly(int channels, bool interlaced)
    {
        // 13x11 is not a multiple of 8, so every Adam7 pass has a ragged edge; rows cycle through all five filters.
        const int w = 13, h = 11;
        var samples = new ushort[w * h * channels];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (ushort)((i * 7919) % 65536);
        }
        var image = ImageDecoder.Decode(PngTestEncoder.Encode16(w, h, channels, samples, interlaced), "f.png");
        var colour = channels >= 3 ? 3 : 1;
        Assert.Equal((w, h, colour), (image.Width, image.Height, image.Channels));
        for (var p = 0; p < w * h; p++)
        {
            for (var c = 0; c < colour; c++)
            {
                var expected = samples[(p * channels) + c] * 255f / 65535f;
                Assert.True(Math.Abs(image.Pixels[(p * colour) + c] - expected) < 1e-4, $"pixel {p} channel {c}");
            }
        }
    }

    [Fact]
    public void Seekable_and_unseekable_streams_decode_the_same()
    {
        var png = PngWriter.WriteGray8(5, 5, TestImages.GreyPattern(5, 5));
        var fromSeekable = ImageDecoder.Decode(new MemoryStream(png), "s.png");
        using var pipe = new BufferedStream(new NonSeekableStream(png));
        var fromPipe = ImageDecoder.Decode(pipe, "p.png");
        Assert.Equal(fromSeekable.Pixels, fromPipe.Pixels);
        var limited = new ImageDecoderOptions { MaxFileBytes = 10 };
        Assert.Contains("limit", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(new MemoryStream(png), "s.png", limited)).Reason);
        Assert.Contains("limit", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(new NonSeekableStream(png), "p.png", limited)).Reason);
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public void Rgb_png_through_skia_keeps_colour_and_collapses_grey_rgb_to_one_channel()
    {
        var rgba = new byte[8 * 8 * 4];
        for (var i = 0; i < 64; i++)
        {
            rgba[i * 4] = (byte)(i * 4);
            rgba[i * 4 + 1] = 10;
            rgba[i * 4 + 2] = 200;
            rgba[i * 4 + 3] = 255;
        }
        var colour = ImageDecoder.Decode(TestImages.Encode(SKColorType.Rgba8888, 8, 8, rgba, SKEncodedImageFormat.Png), "c.png");
        Assert.Equal(3, colour.Channels);
        Assert.Equal((4f * 5, 10f, 200f), (colour.Pixels[5 * 3], colour.Pixels[5 * 3 + 1], colour.Pixels[5 * 3 + 2]));

        for (var i = 0; i < 64; i++)
        {
            rgba[i * 4 + 1] = rgba[i * 4 + 2] = rgba[i * 4];
        }
        var grey = ImageDecoder.Decode(TestImages.Encode(SKColorType.Rgba8888, 8, 8, rgba, SKEncodedImageFormat.Png), "g.png");
        Assert.Equal(1, grey.Channels);
        Assert.Equal(20f, grey.Pixels[5]);
    }

    [Fact]
    public void Jpeg_decodes_close_to_the_source()
    {
        var pixels = TestImages.GreyPattern(64, 48);
        var image = ImageDecoder.Decode(TestImages.Encode(SKColorType.Gray8, 64, 48, pixels, SKEncodedImageFormat.Jpeg, 100), "x.jpg");
        Assert.Equal((64, 48, 1, "jpeg"), (image.Width, image.Height, image.Channels, image.Format));
        // Quality 100 still quantises DCT coefficients: a mean error of a couple of levels is expected, not more.
        var meanError = pixels.Select((p, i) => Math.Abs(p - image.Pixels[i])).Average();
        Assert.True(meanError < 3, $"mean abs error {meanError}");
    }

    [Theory]
    [InlineData(6, 32, 64)]  // rotate 90° clockwise: the bright right half ends at the bottom
    [InlineData(3, 64, 32)]  // rotate 180°: the bright half ends on the left
    [InlineData(8, 32, 64)]  // rotate 90° anticlockwise: the bright half ends at the top
    [InlineData(2, 64, 32)]  // mirror: the bright half ends on the left
    public void Jpeg_exif_orientation_is_applied(ushort orientation, int expectedWidth, int expectedHeight)
    {
        const int w = 64, h = 32;
        var pixels = new byte[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = w / 2; x < w; x++)
            {
                pixels[y * w + x] = 255;
            }
        }
        var jpeg = TestImages.WithExifOrientation(TestImages.Encode(SKColorType.Gray8, w, h, pixels, SKEncodedImageFormat.Jpeg, 95), orientation);
        var image = ImageDecoder.Decode(jpeg, "rotated.jpg");
        Assert.Equal((expectedWidth, expectedHeight), (image.Width, image.Height));

        float Mean(int x0, int y0, int x1, int y1)
        {
            double s = 0;
            for (var y = y0; y < y1; y++) { for (var x = x0; x < x1; x++) { s += image[x, y]; } }
            return (float)(s / ((x1 - x0) * (y1 - y0)));
        }
        var (bright, dark) = orientation switch
        {
            6 => (Mean(0, 40, 32, 64), Mean(0, 0, 32, 24)),
            8 => (Mean(0, 0, 32, 24), Mean(0, 40, 32, 64)),
            _ => (Mean(0, 0, 24, 32), Mean(40, 0, 64, 32)),
        };
        Assert.True(bright > 240 && dark < 15, $"bright {bright}, dark {dark}");
    }

    [Fact]
    public void Bmp_decodes_exactly()
    {
        var bmp = TestImages.Bmp24(7, 5, (x, y) => ((byte)(x * 30), (byte)(y * 40), 99));
        var image = ImageDecoder.Decode(bmp, "scan.bmp");
        Assert.Equal((7, 5, 3, "bmp"), (image.Width, image.Height, image.Channels, image.Format));
        Assert.Equal((90f, 80f, 99f), (image[3, 2, 0], image[3, 2, 1], image[3, 2, 2]));
    }

    [Fact]
    public void Lossless_webp_decodes_exactly()
    {
        var rgba = new byte[16 * 16 * 4];
        for (var i = 0; i < 256; i++)
        {
            rgba[i * 4] = (byte)i;
            rgba[i * 4 + 1] = (byte)(255 - i);
            rgba[i * 4 + 2] = 7;
            rgba[i * 4 + 3] = 255;
        }
        var image = ImageDecoder.Decode(TestImages.EncodeWebPLossless(16, 16, rgba), "w.webp");
        Assert.Equal((16, 16, 3, "webp"), (image.Width, image.Height, image.Channels, image.Format));
        Assert.Equal((100f, 155f, 7f), (image.Pixels[300], image.Pixels[301], image.Pixels[302]));
    }

    [Fact]
    public void Format_comes_from_content_not_extension()
    {
        var png = PngWriter.WriteGray8(4, 4, new byte[16]);
        Assert.Equal("png", ImageDecoder.Decode(png, "misnamed.jpg").Format);
    }

    [Fact]
    public void Text_file_named_png_is_refused_as_text()
    {
        var text = "patient list\nname,age\nA,42\n"u8.ToArray();
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(text, "xray.png"));
        Assert.Equal("not an image: the file is text", e.Reason);
        Assert.StartsWith("xray.png: ", e.Message);
    }

    [Fact]
    public void Empty_file_is_refused_as_empty()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([], "zero.png"));
        Assert.Contains("empty (0 bytes)", e.Reason);
    }

    [Fact]
    public void Unknown_binary_and_gif_are_refused_with_reasons()
    {
        Assert.Contains("matches none", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([0, 1, 2, 3, 250, 251, 0, 9, 8], "b.bin")).Reason);
        Assert.Contains("GIF", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode("GIF89a\0\0\0\0"u8.ToArray(), "a.gif")).Reason);
    }

    [Fact]
    public void Huge_png_is_refused_from_its_header_without_allocating()
    {
        // A 20000x20000 IHDR followed by a tiny IDAT: the pixel data would need 400 MB (1.6 GB as floats).
        var png = PngWriter.WriteGray8(1, 1, [0]);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 20000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 20000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, "huge.png"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("20000x20000 = 400 megapixels, above the limit of 50 megapixels", e.Reason);
        // Exception objects and strings only: far below one image row's worth of a real decode.
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Pixel_limit_is_configurable()
    {
        var png = PngWriter.WriteGray8(100, 100, new byte[10000]);
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, "p.png", new ImageDecoderOptions { MaxPixels = 9999 }));
        Assert.Equal(100, ImageDecoder.Decode(png, "p.png", new ImageDecoderOptions { MaxPixels = 10000 }).Width);
    }

    [Fact]
    public void Truncated_png_is_refused_as_truncated()
    {
        var png = PngWriter.WriteGray8(64, 64, TestImages.GreyPattern(64, 64));
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png[..(png.Length / 2)], "half.png"));
        Assert.StartsWith("truncated PNG", e.Reason);
    }

    [Fact]
    public void Damaged_png_is_refused_with_checksum_reason()
    {
        var png = PngWriter.WriteGray8(16, 16, TestImages.GreyPattern(16, 16));
        png[45] ^= 0x55;
        Assert.StartsWith("corrupt PNG: checksum", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, "bad.png")).Reason);
    }

    [Fact]
    public void Truncated_jpeg_is_refused_as_truncated()
    {
        var jpeg = TestImages.Encode(SKColorType.Gray8, 64, 64, TestImages.GreyPattern(64, 64), SKEncodedImageFormat.Jpeg, 90);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg[..(jpeg.Length * 2 / 3)], "cut.jpg"));
        Assert.StartsWith("truncated JPEG", e.Reason);
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_is_refused_with_an_image_decode_exception()
    {
        // Hostile input must only ever produce ImageDecodeException (any other exception fails the test), whatever the cut.
        var files = new[]
        {
            PngWriter.WriteGray16(9, 7, Enumerable.Range(0, 63).Select(i => (ushort)(i * 999)).ToArray()),
            TestImages.Encode(SKColorType.Gray8, 16, 16, TestImages.GreyPattern(16, 16), SKEncodedImageFormat.Jpeg, 90),
            TestImages.Bmp24(5, 5, (x, y) => (1, 2, 3)),
        };
        foreach (var file in files)
        {
            Assert.NotNull(ImageDecoder.Decode(file, "whole"));
            for (var cut = 0; cut < file.Length - 2; cut += 3)
            {
                Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(file[..cut], $"cut at {cut}"));
            }
        }
    }
}
