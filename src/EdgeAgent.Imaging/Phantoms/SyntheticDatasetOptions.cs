namespace EdgeAgent.Imaging.Phantoms;

/// <summary>What <see cref="SyntheticDatasetWriter"/> writes.</summary>
public sealed record SyntheticDatasetOptions
{
    /// <summary>Images per class (covid, pneumonia, normal; or per non-chest kind).</summary>
    public int CountPerClass { get; init; } = 10;
    public ulong Seed { get; init; } = 1;
    /// <summary>Width and height in pixels.</summary>
    public int Size { get; init; } = 256;
    public SyntheticImageFormat Format { get; init; } = SyntheticImageFormat.Png;
    /// <summary>Quality of JPEG output (1-100).</summary>
    public int JpegQuality { get; init; } = 92;
}
