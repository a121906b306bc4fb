namespace EdgeAgent.Training.Data;

/// <summary>The paper's augmentation (rotation up to ±15°) plus light exposure and contrast jitter.</summary>
public sealed record AugmentationOptions
{
    public float MaxRotationDegrees { get; init; } = 15f;
    /// <summary>Multiplicative exposure range: gain drawn from [1 - e, 1 + e].</summary>
    public float Exposure { get; init; } = 0.1f;
    /// <summary>Contrast around the image mean: factor drawn from [1 - c, 1 + c].</summary>
    public float Contrast { get; init; } = 0.1f;
    /// <summary>Augmented copies made per training image (in addition to the original).</summary>
    public int CopiesPerImage { get; init; } = 2;
}
