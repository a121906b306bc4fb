using SkiaSharp;

namespace EdgeAgent.Imaging.Decoding;

/// <summary>Encodes a grey or RGB image as baseline JPEG through SkiaSharp (for synthetic data and DICOM JPEG frames).</summary>
internal static class JpegEncoder
{
    public static byte[] Encode(DecodedImage image, int quality)
    {
        var rgb = image.Channels == 3;
        var info = new SKImageInfo(image.Width, image.Height, rgb ? SKColorType.Rgba8888 : SKColorType.Gray8, rgb ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var span = bitmap.GetPixelSpan();
        for (var i = 0; i < image.Width * image.Height; i++)
        {
            if (rgb)
            {
                for (var c = 0; c < 3; c++)
                {
                    span[(i * 4) + c] = (byte)Math.Clamp(MathF.Round(image.Pixels[(i * 3) + c]), 0, 255);
                }
                span[(i * 4) + 3] = 255;
            }
            else
            {
                span[i] = (byte)Math.Clamp(MathF.Round(image.Pixels[i]), 0, 255);
            }
        }
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(SKEncodedImageFormat.Jpeg, quality)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the JPEG frame");
        return data.ToArray();
    }
}
