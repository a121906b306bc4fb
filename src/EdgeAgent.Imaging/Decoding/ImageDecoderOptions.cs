namespace EdgeAgent.Imaging.Decoding;

/// <summary>Limits that protect a small device from hostile or mistaken inputs.</summary>
public sealed record ImageDecoderOptions
{
    /// <summary>Largest accepted image in pixels (width × height). 50 MP covers CR/DR plates and mammography.</summary>
    public long MaxPixels { get; init; } = 50_000_000;

    /// <summary>Largest accepted file (and inflated DICOM dataset) in bytes.</summary>
    public long MaxFileBytes { get; init; } = 512L * 1024 * 1024;

    public static ImageDecoderOptions Default { get; } = new();

    internal void CheckSize(int width, int height)
    {
        var pixels = (long)width * height;
        if (pixels > MaxPixels)
        {
            throw new ImageDecodeException(
                $"image is {width}x{height} = {pixels / 1e6:0.#} megapixels, above the limit of {MaxPixels / 1e6:0.#} megapixels");
        }
    }
}
