namespace EdgeAgent.Inference;

/// <summary>What the model said about one image.</summary>
public sealed record Diagnosis
{
    /// <summary>Probability per label, in the manifest's label order.</summary>
    public required IReadOnlyDictionary<string, double> Probabilities { get; init; }

    /// <summary>The label with the highest probability.</summary>
    public required string Label { get; init; }

    /// <summary>Probability of <see cref="Label"/>.</summary>
    public double Confidence => Probabilities[Label];

    /// <summary>Raw pre-softmax scores, in label order.</summary>
    public required IReadOnlyList<float> Logits { get; init; }

    /// <summary>Milliseconds per stage (e.g. "preprocess", "inference", "postprocess").</summary>
    public required IReadOnlyDictionary<string, double> TimingsMs { get; init; }

    /// <summary>Grad-CAM grid per label; null when the model has no CAM output.</summary>
    public IReadOnlyDictionary<string, ClassActivationMap>? Cams { get; init; }

    /// <summary>Pooled target-layer features; null when the manifest names no feature output.</summary>
    public IReadOnlyList<float>? Features { get; init; }

    /// <summary>Mahalanobis distance of <see cref="Features"/> to the nearest class mean; null without feature statistics.</summary>
    public double? FeatureDistance { get; init; }

    /// <summary>The execution provider that ran the model.</summary>
    public required string Provider { get; init; }
}
