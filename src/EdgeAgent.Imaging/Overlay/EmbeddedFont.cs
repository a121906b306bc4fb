using SkiaSharp;

namespace EdgeAgent.Imaging.Overlay;

/// <summary>
/// The typeface for overlay text, loaded from an embedded DejaVu Sans Mono Bold: SkiaSharp's
/// NoDependencies build has no fontconfig, and a field device may have no fonts installed.
/// </summary>
internal static class EmbeddedFont
{
    private const string ResourceName = "EdgeAgent.Imaging.Fonts.DejaVuSansMono-Bold.ttf";
    private static readonly Lazy<SKTypeface> Shared = new(Load);

    public static SKTypeface Typeface => Shared.Value;

    private static SKTypeface Load()
    {
        using var stream = typeof(EmbeddedFont).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded font {ResourceName} is missing from the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        using var data = SKData.CreateCopy(copy.ToArray());
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException($"embedded font {ResourceName} could not be loaded");
    }
}
