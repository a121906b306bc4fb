namespace EdgeAgent.Imaging.Dicom;

/// <summary>Transfer syntax UIDs the reader knows: the ones it decodes and the names of those it refuses.</summary>
public static class DicomTransferSyntax
{
    public const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitVrLittleEndian = "1.2.840.10008.1.2.1.99";
    public const string ExplicitVrBigEndian = "1.2.840.10008.1.2.2";
    public const string JpegBaseline8Bit = "1.2.840.10008.1.2.4.50";

    /// <summary>Syntaxes this reader decodes.</summary>
    public static IReadOnlyList<string> Supported { get; } =
        [ImplicitVrLittleEndian, ExplicitVrLittleEndian, DeflatedExplicitVrLittleEndian, ExplicitVrBigEndian, JpegBaseline8Bit];

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        [ImplicitVrLittleEndian] = "Implicit VR Little Endian",
        [ExplicitVrLittleEndian] = "Explicit VR Little Endian",
        [DeflatedExplicitVrLittleEndian] = "Deflated Explicit VR Little Endian",
        [ExplicitVrBigEndian] = "Explicit VR Big Endian",
        [JpegBaseline8Bit] = "JPEG Baseline (Process 1)",
        ["1.2.840.10008.1.2.1.98"] = "Encapsulated Uncompressed Explicit VR Little Endian",
        ["1.2.840.10008.1.2.4.51"] = "JPEG Extended (Process 2 & 4)",
        ["1.2.840.10008.1.2.4.57"] = "JPEG Lossless, Non-Hierarchical (Process 14)",
        ["1.2.840.10008.1.2.4.70"] = "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1)",
        ["1.2.840.10008.1.2.4.80"] = "JPEG-LS Lossless",
        ["1.2.840.10008.1.2.4.81"] = "JPEG-LS Lossy (Near-Lossless)",
        ["1.2.840.10008.1.2.4.90"] = "JPEG 2000 Image Compression (Lossless Only)",
        ["1.2.840.10008.1.2.4.91"] = "JPEG 2000 Image Compression",
        ["1.2.840.10008.1.2.4.92"] = "JPEG 2000 Part 2 Multi-component (Lossless Only)",
        ["1.2.840.10008.1.2.4.93"] = "JPEG 2000 Part 2 Multi-component",
        ["1.2.840.10008.1.2.4.94"] = "JPIP Referenced",
        ["1.2.840.10008.1.2.4.95"] = "JPIP Referenced Deflate",
        ["1.2.840.10008.1.2.4.100"] = "MPEG2 Main Profile / Main Level",
        ["1.2.840.10008.1.2.4.101"] = "MPEG2 Main Profile / High Level",
        ["1.2.840.10008.1.2.4.102"] = "MPEG-4 AVC/H.264 High Profile / Level 4.1",
        ["1.2.840.10008.1.2.4.103"] = "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1",
        ["1.2.840.10008.1.2.4.104"] = "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video",
        ["1.2.840.10008.1.2.4.105"] = "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video",
        ["1.2.840.10008.1.2.4.106"] = "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2",
        ["1.2.840.10008.1.2.4.107"] = "HEVC/H.265 Main Profile / Level 5.1",
        ["1.2.840.10008.1.2.4.108"] = "HEVC/H.265 Main 10 Profile / Level 5.1",
        ["1.2.840.10008.1.2.4.201"] = "High-Throughput JPEG 2000 Image Compression (Lossless Only)",
        ["1.2.840.10008.1.2.4.202"] = "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)",
        ["1.2.840.10008.1.2.4.203"] = "High-Throughput JPEG 2000 Image Compression",
        ["1.2.840.10008.1.2.5"] = "RLE Lossless",
    };

    /// <summary>The standard name of a transfer syntax, or null when the UID is unknown.</summary>
    public static string? NameOf(string uid) => Names.GetValueOrDefault(uid);

    public static bool IsSupported(string uid) => Supported.Contains(uid);

    internal static string RefusalReason(string uid) => NameOf(uid) is { } name
        ? $"DICOM transfer syntax {uid} ({name}) is not supported; this reader decodes uncompressed (implicit/explicit VR, little/big endian, deflated) and JPEG Baseline 1.2.840.10008.1.2.4.50 — ask for the image to be exported uncompressed"
        : $"DICOM transfer syntax {uid} is unknown to this reader and not supported; supported: {string.Join(", ", Supported)}";
}
