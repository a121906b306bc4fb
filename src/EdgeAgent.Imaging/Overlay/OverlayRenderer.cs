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

    /// <summary>
    /// PNG settings: zlib level 2 with the Sub filter. Skia's default (level 6, adaptive filters)
    /// spends several times longer for a file only slightly smaller, and an overlay is a transient
    /// explanation image, not an archive; Sub suits X-rays, whose neighbouring columns are similar.
    /// </summary>
    private static readonly SKPngEncoderOptions PngOptions = new(SKPngEncoderFilterFlags.Sub, 2);

    public static byte[] RenderPng(DecodedImage image, float[] cam, int camWidth, int camHeight, OverlayText text)
    {
        using var bitmap = Render(image, cam, camWidth, camHeight, text);
        using var pixmap = bitmap.PeekPixels();
        using var png = pixmap.Encode(PngOptions)
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
        var clean = new float[cam.Length];
        for (var i = 0; i < cam.Length; i++)
        {
            clean[i] = float.IsFinite(cam[i]) ? cam[i] : 0f;
        }
        var up = ImageResizer.ResizePlane(clean, camWidth, camHeight, 1, width, height);
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in up)
        {
            min = MathF.Min(min, v);
            max = MathF.Max(max, v);
        }
        var range = max - min;
        if (range > 1e-12f)
        {
            var span = up.AsSpan();
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (span[i] - min) / range;
            }
        }
        else
        {
            Array.Clear(up);
        }
        return up;
    }

    private static SKBitmap Render(DecodedImage image, float[] cam, int camWidth, int camHeight, OverlayText text)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(text);
        int w = image.Width, h = image.Height;
        var heat = UpsampleAndNormalise(cam, camWidth, camHeight, w, h);
        // Opaque: the PNG is written as RGB, a quarter less to compress than RGBA.
        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var flat = image.Channels == 1
            ? BlendGrey(image.Pixels, heat, bitmap.GetPixelSpan())
            : BlendRgb(image.Pixels, heat, bitmap.GetPixelSpan());
        using var canvas = new SKCanvas(bitmap);
        DrawAnnotations(canvas, w, h, text, flat);
        return bitmap;
    }

    /// <summary>Writes RGBA pixels of a grey image under the heat map; true when the heat map is all zero.</summary>
    private static bool BlendGrey(ReadOnlySpan<float> grey, ReadOnlySpan<float> heat, Span<byte> rgba)
    {
        var lut = TurboColormap.Table;
        var scale = TurboColormap.TableSize - 1;
        var flat = true;
        rgba = rgba[..(heat.Length * 4)];
        grey = grey[..heat.Length];
        for (var i = 0; i < heat.Length; i++)
        {
            var v = heat[i];
            var under = grey[i];
            var o = i * 4;
            if (v == 0f)
            {
                // Cold pixel: the X-ray shows through untouched (alpha 0).
                var g = ToByte(under);
                rgba[o] = g;
                rgba[o + 1] = g;
                rgba[o + 2] = g;
                rgba[o + 3] = 255;
                continue;
            }
            flat = false;
            var a = MaxAlpha * v;
            var keep = 1 - a;
            var t = ((int)((v * scale) + 0.5f)) * 3;
            rgba[o] = ToByte((under * keep) + (lut[t] * a));
            rgba[o + 1] = ToByte((under * keep) + (lut[t + 1] * a));
            rgba[o + 2] = ToByte((under * keep) + (lut[t + 2] * a));
            rgba[o + 3] = 255;
        }
        return flat;
    }

    /// <summary>Writes RGBA pixels of an RGB image under the heat map; true when the heat map is all zero.</summary>
    private static bool BlendRgb(ReadOnlySpan<float> rgb, ReadOnlySpan<float> heat, Span<byte> rgba)
    {
        var lut = TurboColormap.Table;
        var scale = TurboColormap.TableSize - 1;
        var flat = true;
        rgba = rgba[..(heat.Length * 4)];
        rgb = rgb[..(heat.Length * 3)];
        for (var i = 0; i < heat.Length; i++)
        {
            var v = heat[i];
            flat &= v == 0f;
            var a = MaxAlpha * v;
            var keep = 1 - a;
            var t = ((int)((v * scale) + 0.5f)) * 3;
            int s = i * 3, o = i * 4;
            rgba[o] = ToByte((rgb[s] * keep) + (lut[t] * a));
            rgba[o + 1] = ToByte((rgb[s + 1] * keep) + (lut[t + 1] * a));
            rgba[o + 2] = ToByte((rgb[s + 2] * keep) + (lut[t + 2] * a));
            rgba[o + 3] = 255;
        }
        return flat;
    }

    private static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round(value), 0, 255);

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
        using var stripe = new SKPaint();
        for (var row = 0; row < (int)barHeight; row++)
        {
            var (r, g, b) = TurboColormap.Map(1 - (row / barHeight));
            stripe.Color = new SKColor(r, g, b);
            canvas.DrawRect(barX, barY + row, barWidth, 1.5f, stripe);
        }
        canvas.DrawText("high", barX + barWidth + (pad / 2), barY + (size * 0.8f), SKTextAlign.Left, font, white);
        canvas.DrawText("low", barX + barWidth + (pad / 2), barY + barHeight, SKTextAlign.Left, font, white);
    }
}
