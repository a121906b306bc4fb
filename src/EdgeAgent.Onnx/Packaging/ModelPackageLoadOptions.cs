namespace EdgeAgent.Onnx.Packaging;

/// <summary>Limits and extraction target for <see cref="ModelPackage.Load"/>.</summary>
public sealed record ModelPackageLoadOptions
{
    /// <summary>Most zip entries accepted (a package holds a handful of files plus golden images).</summary>
    public int MaxEntries { get; init; } = 256;

    /// <summary>
    /// Most bytes a zip may expand to, counted while extracting (headers can lie). ONNX files without external
    /// data stop at 2 GiB (protobuf), so 2.5 GiB leaves room for golden images while defeating zip bombs.
    /// </summary>
    public long MaxUncompressedBytes { get; init; } = 2_684_354_560;

    /// <summary>
    /// Where a zip package is extracted. Must not exist or be empty; the caller owns it. When null, a new
    /// temporary folder is used and deleted when the package is disposed.
    /// </summary>
    public string? ExtractDirectory { get; init; }
}
