using SkiaSharp;

namespace EdgeAgent.Imaging.Overlay;

/// <summary>
/// Makes an overlay PNG fit a byte limit (an MQTT cap or a broker's packet size) by downscaling it, aspect ratio kept,
/// and re-encoding it as PNG; a smaller explanation image is worth more to the hub than none.
/// </summary>
public static class OverlayShrinker
{
    /// <summary>Below this longer side an overlay no longer shows where the model looked: give up instead.</summary>
    public const int MinLongerSide = 32;

    // Each try aims a little under the estimate so that a miss is rare, and always shrinks by at least this much, so the
    // loop ends after a few tries even when PNG size does not follow the pixel count (it roughly does for photographs).
    private const double Aim = 0.9;
    private const double MaxStep = 0.85;

    /// <summary>Maximal compression: a shrunk overlay is made once per refusal, and every byte counts against the limit.</summary>
    private static readonly SKPngEncoderOptions PngOptions = new(SKPngEncoderFilterFlags.AllFilters, 9);

    /// <summary>
    /// The largest downscaled copy found whose PNG is at most <paramref name="maxBytes"/>, or null when the bytes are not an
    /// image Skia can decode or when even a copy with a longer side of <see cref="MinLongerSide"/> pixels does not fit.
    /// </summary>
    public static ShrunkPng? FitWithin(ReadOnlySpan<byte> png, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        // SKBitmap.Decode throws on bytes no codec recognises; SKCodec.Create answers null.
        using var data = SKData.CreateCopy(png);
        using var codec = SKCodec.Create(data);
        using var source = codec is null ? null : SKBitmap.Decode(codec);
        if (source is null || source.Width <= 0 || source.Height <= 0)
        {
            return null;
        }

        // PNG bytes grow roughly with the pixel count, so the side scales with the square root of the byte ratio.
        var scale = Math.Min(MaxStep, Aim * Math.Sqrt((double)maxBytes / png.Length));
        while (true)
        {
            var width = Math.Max(1, (int)Math.Round(source.Width * scale));
            var height = Math.Max(1, (int)Math.Round(source.Height * scale));
            if (Math.Max(width, height) < MinLongerSide)
            {
                return null;
            }

            var encoded = Encode(source, width, height);
            if (encoded.Length <= maxBytes)
            {
                return new ShrunkPng(encoded, width, height);
            }

            scale *= Math.Min(MaxStep, Aim * Math.Sqrt((double)maxBytes / encoded.Length));
        }
    }

    private static byte[] Encode(SKBitmap source, int width, int height)
    {
        using var resized = source.Resize(new SKImageInfo(width, height, source.ColorType, source.AlphaType), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new InvalidOperationException($"SkiaSharp could not resize a {source.Width}x{source.Height} overlay to {width}x{height}");
        using var pixmap = resized.PeekPixels();
        using var encoded = pixmap.Encode(PngOptions)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the shrunk overlay PNG");
        return encoded.ToArray();
    }
}
