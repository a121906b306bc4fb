using SkiaSharp;

namespace EdgeAgent.Imaging.Decoding;

/// <summary>Decodes 8-bit PNG, JPEG, BMP and WebP through SkiaSharp and honours EXIF orientation.</summary>
internal static class SkiaImageDecoder
{
    public static DecodedImage Decode(byte[] data, string formatName)
    {
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var createResult)
            ?? throw new ImageDecodeException($"corrupt {formatName}: the decoder rejected the file ({createResult})");
        var info = codec.Info;
        var grey = info.ColorType == SKColorType.Gray8;
        var target = new SKImageInfo(info.Width, info.Height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, grey ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var bytes = new byte[target.BytesSize];
        var result = codec.GetPixels(target, bytes);
        if (result == SKCodecResult.IncompleteInput)
        {
            throw new ImageDecodeException($"truncated {formatName}: the file ends before the image data is complete (incomplete copy or transfer?)");
        }
        if (result != SKCodecResult.Success)
        {
            throw new ImageDecodeException($"corrupt {formatName}: the image data could not be decoded ({result})");
        }
        var image = grey ? FromGrey(info.Width, info.Height, bytes, formatName) : FromRgba(info.Width, info.Height, bytes, formatName);
        return ApplyOrientation(image, codec.EncodedOrigin);
    }

    private static DecodedImage FromGrey(int width, int height, byte[] bytes, string format)
    {
        var pixels = new float[width * height];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = bytes[i];
        }
        return new DecodedImage(width, height, 1, pixels, format.ToLowerInvariant());
    }

    /// <summary>RGBA composited over black; collapses to one channel when every pixel is grey (most X-ray exports).</summary>
    private static DecodedImage FromRgba(int width, int height, byte[] bytes, string format)
    {
        var count = width * height;
        var allGrey = true;
        for (var i = 0; i < count && allGrey; i++)
        {
            allGrey = bytes[i * 4] == bytes[(i * 4) + 1] && bytes[i * 4] == bytes[(i * 4) + 2];
        }
        var channels = allGrey ? 1 : 3;
        var pixels = new float[count * channels];
        for (var i = 0; i < count; i++)
        {
            var alpha = bytes[(i * 4) + 3] / 255f;
            for (var c = 0; c < channels; c++)
            {
                pixels[(i * channels) + c] = bytes[(i * 4) + c] * alpha;
            }
        }
        return new DecodedImage(width, height, channels, pixels, format.ToLowerInvariant());
    }

    /// <summary>Turns the stored pixels into the upright picture the EXIF orientation tag describes.</summary>
    internal static DecodedImage ApplyOrientation(DecodedImage image, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or (SKEncodedOrigin)0)
        {
            return image;
        }
        int w = image.Width, h = image.Height, ch = image.Channels;
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int ow = swap ? h : w, oh = swap ? w : h;
        var output = new float[image.Pixels.Length];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var (dx, dy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (h - 1 - y, x),
                    SKEncodedOrigin.RightBottom => (h - 1 - y, w - 1 - x),
                    SKEncodedOrigin.LeftBottom => (y, w - 1 - x),
                    _ => (x, y),
                };
                Array.Copy(image.Pixels, ((y * w) + x) * ch, output, ((dy * ow) + dx) * ch, ch);
            }
        }
        return new DecodedImage(ow, oh, ch, output, image.Format, image.Dicom, image.BitsPerSample);
    }
}
