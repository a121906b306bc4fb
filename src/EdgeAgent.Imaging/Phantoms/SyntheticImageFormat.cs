namespace EdgeAgent.Imaging.Phantoms;

/// <summary>File format of synthetic images.</summary>
public enum SyntheticImageFormat
{
    Png,
    Jpeg,
    Dicom,
}
