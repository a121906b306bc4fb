namespace EdgeAgent.Inference.Safety;

/// <summary>How far a result can be trusted; written as ok, needs-review, out-of-distribution, rejected.</summary>
public enum SafetyStatus
{
    Ok,
    NeedsReview,
    OutOfDistribution,
    Rejected,
}
