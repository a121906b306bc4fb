namespace EdgeAgent.Imaging;

/// <summary>
/// A decoded picture: interleaved float samples (row-major, channel fastest) on a 0..255 scale.
/// Floats keep 16-bit and DICOM data at full precision while every consumer sees one range.
/// </summary>
public sealed class DecodedImage
{
    public DecodedImage(int width, int height, int channels, float[] pixels, string format = "raw", DicomAttributes? dicom = null, int bitsPerSample = 8)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"image size must be positive, got {width}x{height}");
        }
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), $"channels must be 1 or 3, got {channels}");
        }
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height * channels)
        {
            throw new ArgumentException($"pixel buffer holds {pixels.LongLength} samples, expected {width}x{height}x{channels}", nameof(pixels));
        }
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
        Format = format;
        Dicom = dicom;
        BitsPerSample = bitsPerSample;
    }

    public int Width { get; }
    public int Height { get; }
    /// <summary>1 (grey) or 3 (RGB).</summary>
    public int Channels { get; }
    /// <summary>Samples in [0,255], index (y * Width + x) * Channels + c.</summary>
    public float[] Pixels { get; }
    /// <summary>The container the image came from: png, jpeg, bmp, webp, dicom or raw.</summary>
    public string Format { get; }
    /// <summary>Precision of the source samples (8, 12, 16); informative.</summary>
    public int BitsPerSample { get; }
    /// <summary>Identifiers and acquisition attributes when the source was DICOM.</summary>
    public DicomAttributes? Dicom { get; }

    public float this[int x, int y, int c = 0] => Pixels[((y * Width) + x) * Channels + c];

    /// <summary>Luminance (Rec. 601 weights) as one grey plane; the plane itself for grey images.</summary>
    public float[] ToGray()
    {
        if (Channels == 1)
        {
            return Pixels;
        }
        var grey = new float[Width * Height];
        for (var i = 0; i < grey.Length; i++)
        {
            grey[i] = (0.299f * Pixels[i * 3]) + (0.587f * Pixels[(i * 3) + 1]) + (0.114f * Pixels[(i * 3) + 2]);
        }
        return grey;
    }
}
