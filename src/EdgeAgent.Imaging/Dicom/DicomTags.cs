namespace EdgeAgent.Imaging.Dicom;

/// <summary>Tags (group &lt;&lt; 16 | element) the reader and writer use.</summary>
internal static class DicomTags
{
    public const uint TransferSyntaxUid = 0x0002_0010;
    public const uint SopClassUid = 0x0008_0016;
    public const uint SopInstanceUid = 0x0008_0018;
    public const uint Modality = 0x0008_0060;
    public const uint PatientName = 0x0010_0010;
    public const uint BodyPartExamined = 0x0018_0015;
    public const uint ViewPosition = 0x0018_5101;
    public const uint StudyInstanceUid = 0x0020_000D;
    public const uint SeriesInstanceUid = 0x0020_000E;
    public const uint SamplesPerPixel = 0x0028_0002;
    public const uint PhotometricInterpretation = 0x0028_0004;
    public const uint PlanarConfiguration = 0x0028_0006;
    public const uint NumberOfFrames = 0x0028_0008;
    public const uint Rows = 0x0028_0010;
    public const uint Columns = 0x0028_0011;
    public const uint BitsAllocated = 0x0028_0100;
    public const uint BitsStored = 0x0028_0101;
    public const uint HighBit = 0x0028_0102;
    public const uint PixelRepresentation = 0x0028_0103;
    public const uint WindowCenter = 0x0028_1050;
    public const uint WindowWidth = 0x0028_1051;
    public const uint RescaleIntercept = 0x0028_1052;
    public const uint RescaleSlope = 0x0028_1053;
    public const uint PixelData = 0x7FE0_0010;
    public const uint Item = 0xFFFE_E000;
    public const uint ItemDelimiter = 0xFFFE_E00D;
    public const uint SequenceDelimiter = 0xFFFE_E0DD;

    public static string Format(uint tag) => $"({tag >> 16:X4},{tag & 0xFFFF:X4})";

    /// <summary>VR of the tags read from implicit-VR files (the file does not say).</summary>
    public static string? ImplicitVr(uint tag) => tag switch
    {
        SamplesPerPixel or PlanarConfiguration or Rows or Columns or BitsAllocated or BitsStored or HighBit or PixelRepresentation => "US",
        NumberOfFrames => "IS",
        WindowCenter or WindowWidth or RescaleIntercept or RescaleSlope => "DS",
        PixelData => "OW",
        _ => null,
    };
}
