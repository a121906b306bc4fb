using EdgeAgent.Training.Data;
using EdgeAgent.Training.Models;

namespace EdgeAgent.Training.Training;

/// <summary>What `edge-train train` was asked to do.</summary>
public sealed record TrainRequest
{
    public required string DataDirectory { get; init; }
    public required string RunDirectory { get; init; }
    public required BackboneSpec Backbone { get; init; }
    public HeadOptions Head { get; init; } = new();
    public TrainingOptions Training { get; init; } = new();
    public AugmentationOptions Augmentation { get; init; } = new();
    public double ValidationFraction { get; init; } = 0.15;
    public double TestFraction { get; init; } = 0.15;
    /// <summary>Stratified k-fold cross-validation instead of one split (0 = off).</summary>
    public int Folds { get; init; }
    /// <summary>Folder for cached frozen-backbone features shared between runs (null = none).</summary>
    public string? CacheDirectory { get; init; }
}
