using EdgeAgent.Imaging.Overlay;
using EdgeAgent.Messaging.Publishing;

namespace EdgeAgent.Pipeline;

/// <summary>The publisher's overlay shrinker, done by the imaging side (SkiaSharp), which messaging does not reference.</summary>
public sealed class PngOverlayShrinker : IOverlayShrinker
{
    public byte[]? Shrink(ReadOnlyMemory<byte> png, int maxBytes) => OverlayShrinker.FitWithin(png.Span, maxBytes)?.Png;
}
