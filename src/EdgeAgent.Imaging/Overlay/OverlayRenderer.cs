using System.Globalization;
using EdgeAgent.Imaging.Preprocessing;
using SkiaSharp;

namespace EdgeAgent.Imaging.Overlay;

/// <summary>
/// Draws a Grad-CAM over the original radiograph: the CAM grid upsampled bilinearly to the image
/// size, normalised to [0, 1], coloured with Turbo and alpha-blended with opacity rising with the
/// activation (cold regions leave the X-ray untouched), plus a legend, an optional warning banner
/// and a colour bar. Output is a PNG of the image's own size.
/// </summary>
public static class OverlayRenderer
{
    /// <summary>Opacity of the hottest pixels; the X-ray stays visible beneath.</summary>
    public const float MaxAlpha = 0.6f;

    public static byte[] RenderPng(DecodedImage image, float[] cam, int camWidth, int camHeight, OverlayText text)
    {
        using var bitmap = Render(image, cam, camWidth, camHeight, text);
        using var skImage = SKImage.FromBitmap(bitmap);
        using var png = skImage.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the overlay PNG");
        return png.ToArray();
    }

    /// <summary>CAM upsampled to the image size and normalised to [0, 1] (all zero for a flat CAM).</summary>
    public static float[] UpsampleAndNormalise(float[] cam, int camWidth, int camHeight, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(cam);
        if (camWidth <= 0 || camHeight <= 0 || cam.Length != camWidth * camHeight)
        {
            throw new ArgumentException($"CAM holds {cam.Length} values, not {camWidth}x{camHeight}", nameof(cam));
        }
        var clean = cam.Select(v => float.IsFinite(v) ? v : 0f).ToArray();
        var up = ImageResizer.ResizePlane(clean, camWidth, camHeight, 1, width, height);
        float min = up.Min(), max = up.Max();
        var range = max - min;
        for (var i = 0; i < up.Length; i++)
        {
            up[i] = range > 1e-12f ? (up[i] - min) / range : 0f;
        }
        return up;
    }

    private static SKBitmap Render(DecodedImage image, float[] cam, int camWidth, int camHeight, OverlayText text)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(text);
        int w = image.Width, h = image.Height;
        var heat = UpsampleAndNormalise(cam, camWidth, camHeight, w, h);
        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < w * h; i++)
        {
            float r, g, b;
            if (image.Channels == 1)
            {
                r = g = b = image.Pixels[i];
            }
            else
            {
                (r, g, b) = (image.Pixels[i * 3], image.Pixels[(i * 3) + 1], image.Pixels[(i * 3) + 2]);
            }
            var a = MaxAlpha * heat[i];
            var (cr, cg, cb) = TurboColormap.Map(heat[i]);
            pixels[i * 4] = Blend(r, cr, a);
            pixels[(i * 4) + 1] = Blend(g, cg, a);
            pixels[(i * 4) + 2] = Blend(b, cb, a);
            pixels[(i * 4) + 3] = 255;
        }
        var flat = heat.All(v => v == 0f);
        using var canvas = new SKCanvas(bitmap);
        DrawAnnotations(canvas, w, h, text, flat);
        return bitmap;
    }

    private static byte Blend(float under, byte over, float alpha) =>
        (byte)Math.Clamp(MathF.Round((under * (1 - alpha)) + (over * alpha)), 0, 255);

    private static void DrawAnnotations(SKCanvas canvas, int w, int h, OverlayText text, bool flatCam)
    {
        var size = Math.Clamp(Math.Min(w, h) / 30f, 9f, 40f);
        using var font = new SKFont(EmbeddedFont.Typeface, size);
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var panel = new SKPaint { Color = new SKColor(0, 0, 0, 170), IsAntialias = true };
        var pad = size * 0.45f;
        var lineHeight = size * 1.25f;
        var top = 0f;

        if (!string.IsNullOrWhiteSpace(text.Banner))
        {
            var bannerHeight = size * 1.8f;
            using var bannerPaint = new SKPaint { Color = new SKColor(200, 30, 30, 230) };
            canvas.DrawRect(0, 0, w, bannerHeight, bannerPaint);
            canvas.DrawText(text.Banner, w / 2f, (bannerHeight / 2f) + (size * 0.35f), SKTextAlign.Center, font, white);
            top = bannerHeight;
        }

        var lines = new List<string>
        {
            $"{text.Label}  {text.Probability.ToString("P1", CultureInfo.InvariantCulture)}",
            $"Grad-CAM: {text.CamLabel ?? text.Label}{(flatCam ? " (flat)" : string.Empty)}",
            $"{text.ModelName} {text.ModelVersion}",
        };
        var width = lines.Max(l => font.MeasureText(l, white)) + (2 * pad);
        var height = (lines.Count * lineHeight) + (2 * pad) - (lineHeight - size);
        canvas.DrawRoundRect(new SKRect(pad, top + pad, pad + width, top + pad + height), pad, pad, panel);
        for (var i = 0; i < lines.Count; i++)
        {
            canvas.DrawText(lines[i], 2 * pad, top + (2 * pad) + size * 0.85f + (i * lineHeight), SKTextAlign.Left, font, white);
        }

        // Colour bar along the right edge: high at the top.
        var barWidth = Math.Max(6f, w / 40f);
        var barHeight = h * 0.4f;
        var barX = w - barWidth - pad - font.MeasureText("high", white) - pad;
        var barY = (h - barHeight) / 2f;
        canvas.DrawRoundRect(new SKRect(barX - pad, barY - size - pad, w - pad / 2, barY + barHeight + size + pad), pad, pad, panel);
        for (var row = 0; row < (int)barHeight; row++)
        {
            var (r, g, b) = TurboColormap.Map(1 - (row / barHeight));
            using var stripe = new SKPaint { Color = new SKColor(r, g, b) };
            canvas.DrawRect(barX, barY + row, barWidth, 1.5f, stripe);
        }
        canvas.DrawText("high", barX + barWidth + (pad / 2), barY + (size * 0.8f), SKTextAlign.Left, font, white);
        canvas.DrawText("low", barX + barWidth + (pad / 2), barY + barHeight, SKTextAlign.Left, font, white);
    }
}
