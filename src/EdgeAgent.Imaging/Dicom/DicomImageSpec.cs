namespace EdgeAgent.Imaging.Dicom;

/// <summary>What <see cref="DicomWriter"/> writes: the image pixel module, the identifiers and the transfer syntax.</summary>
public sealed record DicomImageSpec
{
    public required int Rows { get; init; }
    public required int Columns { get; init; }
    public string TransferSyntaxUid { get; init; } = DicomTransferSyntax.ExplicitVrLittleEndian;
    public int SamplesPerPixel { get; init; } = 1;
    public string PhotometricInterpretation { get; init; } = "MONOCHROME2";
    public int BitsAllocated { get; init; } = 16;
    public int BitsStored { get; init; } = 12;
    /// <summary>Most significant stored bit; null for the usual Bits Stored - 1. The writer shifts values into place.</summary>
    public int? HighBit { get; init; }
    /// <summary>0 unsigned, 1 two's complement.</summary>
    public int PixelRepresentation { get; init; }
    /// <summary>0 interleaved (RGBRGB...), 1 planar (RR..GG..BB..); only for 3 samples.</summary>
    public int PlanarConfiguration { get; init; }
    /// <summary>Stored values of native pixel data, interleaved per pixel (the writer applies the planar configuration).</summary>
    public int[]? StoredValues { get; init; }
    /// <summary>A baseline JPEG bitstream for the JPEG Baseline transfer syntax.</summary>
    public byte[]? JpegFrame { get; init; }
    public double? RescaleSlope { get; init; }
    public double? RescaleIntercept { get; init; }
    /// <summary>Window Center as written (DS, may hold several values separated by '\').</summary>
    public string? WindowCenter { get; init; }
    public string? WindowWidth { get; init; }
    public DicomAttributes Attributes { get; init; } = new();
    /// <summary>Adds nested sequences (and a value that mimics a pixel-data tag) so readers must skip structure correctly.</summary>
    public bool IncludeSequences { get; init; } = true;
    /// <summary>Writes those sequences and items with undefined length (delimiters) rather than explicit lengths.</summary>
    public bool UndefinedLengthSequences { get; init; } = true;
    /// <summary>Omits the pixel data element (for tests of non-image objects).</summary>
    public bool OmitPixelData { get; init; }
}
