using System.Diagnostics;
using EdgeAgent.Onnx.Packaging;
using SkiaSharp;

namespace EdgeAgent.Pipeline;

/// <summary>Interim decoder for PNG/JPEG/BMP/WebP until the imaging library's decoder is wired in.</summary>
internal sealed class SkiaImagePreparer : IImagePreparer
{
    private const long MaxPixels = 100_000_000;

    public PreparedImage Prepare(ReadOnlyMemory<byte> content, string fileName, InputSpec spec)
    {
        var clock = Stopwatch.StartNew();
        using var data = SKData.CreateCopy(content.Span);
        using var codec = SKCodec.Create(data) ?? throw new ImageRejectedException("decode", $"'{fileName}' is not a PNG, JPEG, BMP or WebP image");
        var info = codec.Info;
        if ((long)info.Width * info.Height > MaxPixels)
        {
            throw new ImageRejectedException("decode", $"'{fileName}' is {info.Width}x{info.Height} pixels; images over {MaxPixels / 1_000_000} megapixels are refused");
        }

        using var bitmap = SKBitmap.Decode(codec, new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new ImageRejectedException("decode", $"'{fileName}' could not be decoded (truncated or corrupt)");
        var decodeMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        using var resized = bitmap.Resize(new SKImageInfo(spec.Width, spec.Height, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new ImageRejectedException("preprocess", $"'{fileName}' could not be resized to {spec.Width}x{spec.Height}");
        var channels = spec.Channels == ChannelOrder.Gray ? 1 : 3;
        var plane = spec.Width * spec.Height;
        var tensor = new float[channels * plane];
        var pixels = resized.Pixels;
        for (var p = 0; p < plane; p++)
        {
            var c = pixels[p];
            if (channels == 1)
            {
                tensor[p] = Normalise((c.Red + c.Green + c.Blue) / 3f, spec, 0);
                continue;
            }

            var (first, third) = spec.Channels == ChannelOrder.Bgr ? (c.Blue, c.Red) : (c.Red, c.Blue);
            tensor[p] = Normalise(first, spec, 0);
            tensor[plane + p] = Normalise(c.Green, spec, 1);
            tensor[2 * plane + p] = Normalise(third, spec, 2);
        }

        return new PreparedImage
        {
            Tensor = tensor, Width = info.Width, Height = info.Height,
            DecodeMs = decodeMs, PreprocessMs = clock.Elapsed.TotalMilliseconds,
        };
    }

    private static float Normalise(float value, InputSpec spec, int channel) => (value * spec.Scale - spec.Mean[channel]) / spec.Std[channel];
}
