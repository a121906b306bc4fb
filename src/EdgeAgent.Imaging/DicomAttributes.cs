namespace EdgeAgent.Imaging;

/// <summary>DICOM identifiers and acquisition attributes carried into results (null where absent).</summary>
public sealed record DicomAttributes
{
    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }
    public string? SopInstanceUid { get; init; }
    public string? Modality { get; init; }
    public string? BodyPartExamined { get; init; }
    public string? ViewPosition { get; init; }
    public string? PhotometricInterpretation { get; init; }
    public string? TransferSyntaxUid { get; init; }
}
