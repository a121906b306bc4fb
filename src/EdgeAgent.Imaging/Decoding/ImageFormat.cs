namespace EdgeAgent.Imaging.Decoding;

/// <summary>Container formats recognised from the first bytes of a file.</summary>
public enum ImageFormat
{
    Unknown,
    Png,
    Jpeg,
    Bmp,
    WebP,
    Dicom,
}
