namespace EdgeAgent.Inference.Safety;

/// <summary>The out-of-distribution verdict on one diagnosis.</summary>
public sealed record SafetyAssessment
{
    public required SafetyStatus Status { get; init; }

    /// <summary>Why the status is not ok (or why the check could not be applied).</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    /// <summary>The OOD score (higher = less like the training data); null when the logits could not be scored.</summary>
    public double? OodScore { get; init; }

    /// <summary>Mahalanobis distance of the pooled features to the nearest class (higher = less like the training data); null when the package has no feature statistics.</summary>
    public double? FeatureDistance { get; init; }

    /// <summary>Wire form used in results: ok, needs-review, out-of-distribution, rejected.</summary>
    public static string WireName(SafetyStatus status) => status switch
    {
        SafetyStatus.Ok => "ok",
        SafetyStatus.NeedsReview => "needs-review",
        SafetyStatus.OutOfDistribution => "out-of-distribution",
        SafetyStatus.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "undefined status"),
    };

    /// <summary>Overlay banner for a status; null for ok.</summary>
    public static string? Banner(SafetyStatus status) => status switch
    {
        SafetyStatus.NeedsReview => "NEEDS REVIEW",
        SafetyStatus.OutOfDistribution => "OUT OF DISTRIBUTION",
        SafetyStatus.Rejected => "REJECTED",
        _ => null,
    };
}
