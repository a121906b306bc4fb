using EdgeAgent.Imaging.Statistics;

namespace EdgeAgent.Inference.Safety;

/// <summary>What the input-quality gate decided about one image: accepted when there are no reasons.</summary>
public sealed record QualityVerdict
{
    /// <summary>Why the image was refused, one sentence per failed rule, in words a radiographer can act on.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    /// <summary>The measurements the decision was made on.</summary>
    public required ImageStatistics Statistics { get; init; }

    public bool Accepted => Reasons.Count == 0;
}
