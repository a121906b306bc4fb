namespace EdgeAgent.Imaging.Overlay;

/// <summary>What the overlay legend says.</summary>
public sealed record OverlayText
{
    /// <summary>Predicted label (e.g. "covid").</summary>
    public required string Label { get; init; }
    /// <summary>Probability of the predicted label, 0..1.</summary>
    public required double Probability { get; init; }
    public required string ModelName { get; init; }
    public required string ModelVersion { get; init; }
    /// <summary>The class whose CAM is shown when it is not the predicted label (e.g. "covid").</summary>
    public string? CamLabel { get; init; }
    /// <summary>A warning across the top, e.g. "NEEDS REVIEW" or "UNTRAINED MODEL"; null for none.</summary>
    public string? Banner { get; init; }
}
