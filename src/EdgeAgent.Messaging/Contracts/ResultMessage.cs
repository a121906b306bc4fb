namespace EdgeAgent.Messaging.Contracts;

/// <summary>
/// One diagnosis (or one refusal) as it travels to the hub and is written to the results folder.
/// <see cref="ResultId"/> is chosen on the device and never changes across retries, so the hub de-duplicates by it.
/// </summary>
public sealed record ResultMessage
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string ResultId { get; init; }
    public required string DeviceId { get; init; }
    public required string Site { get; init; }
    public required InputIdentity Input { get; init; }
    public required ModelIdentity Model { get; init; }
    /// <summary>See <see cref="ResultStatus"/>.</summary>
    public string Status { get; init; } = ResultStatus.Ok;
    /// <summary>Why a result was rejected or needs review, in words a radiographer can act on.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];
    /// <summary>Predicted label; null when the input was rejected before the model.</summary>
    public string? Label { get; init; }
    public IReadOnlyDictionary<string, double> Probabilities { get; init; } = new Dictionary<string, double>();
    public double? OodScore { get; init; }
    /// <summary>Mahalanobis distance of the image's pooled features to the nearest training class; null when the model package has no feature statistics.</summary>
    public double? FeatureDistance { get; init; }
    /// <summary>Milliseconds per stage (decode, preprocess, inference, overlay, total).</summary>
    public IReadOnlyDictionary<string, double> TimingsMs { get; init; } = new Dictionary<string, double>();
    public required DateTimeOffset AcquiredAt { get; init; }
    public required DateTimeOffset DiagnosedAt { get; init; }
    /// <summary>True when an overlay PNG belongs to this result (sent on results/{id}/overlay).</summary>
    public bool HasOverlay { get; init; }
    /// <summary>Set by the publisher when an overlay existed but was not sent (policy off, over the size cap, refused by the broker).</summary>
    public string? OverlayOmitted { get; init; }
    /// <summary>
    /// What was sent on results/{id}/overlay, set by the publisher: <see cref="OverlayStatuses.Full"/>, <see cref="OverlayStatuses.Shrunk"/>
    /// or <see cref="OverlayStatuses.Dropped"/>; null when the result has no overlay.
    /// </summary>
    public string? OverlayStatus { get; init; }
}

public static class ResultStatus
{
    public const string Ok = "ok";
    public const string NeedsReview = "needs-review";
    public const string OutOfDistribution = "out-of-distribution";
    public const string Rejected = "rejected";
}

/// <summary>What was diagnosed: the file, its content hash, and DICOM identifiers where present.</summary>
public sealed record InputIdentity
{
    public required string FileName { get; init; }
    public required string Sha256 { get; init; }
    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }
    public string? SopInstanceUid { get; init; }
    public string? Modality { get; init; }
    public string? BodyPartExamined { get; init; }
    public string? ViewPosition { get; init; }
}

public sealed record ModelIdentity
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public string Precision { get; init; } = "fp32";
    public bool Trained { get; init; }
}
