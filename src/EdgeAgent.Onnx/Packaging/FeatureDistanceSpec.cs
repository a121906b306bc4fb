namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// Mahalanobis feature-distance OOD check (manifest safety.featureDistance): class means and a tied, regularised
/// covariance of the pooled target-layer features (<see cref="OutputSpec.Features"/>) live in a side file of the
/// package; the distance of an image's features to the nearest class mean is compared with the thresholds.
/// </summary>
public sealed record FeatureDistanceSpec
{
    public const string DefaultFileName = "feature-statistics.bin";

    /// <summary>Path of the statistics file inside the package (<see cref="FeatureStatistics"/> format).</summary>
    public required string File { get; init; }

    /// <summary>Lower-case hex sha256 of that file.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Distances above this are flagged out-of-distribution.</summary>
    public required double OodThreshold { get; init; }

    /// <summary>Distances above this (and at or below OodThreshold) need review; null = no review band.</summary>
    public double? ReviewThreshold { get; init; }

    /// <summary>Share of validation X-rays at or below <see cref="OodThreshold"/> (the stated true-positive rate).</summary>
    public double? ThresholdTpr { get; init; }
}
