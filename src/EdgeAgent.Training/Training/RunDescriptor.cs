using EdgeAgent.Training.Data;
using EdgeAgent.Training.Models;

namespace EdgeAgent.Training.Training;

/// <summary>run.json: everything needed to evaluate or export a run, including its class order and split.</summary>
public sealed record RunDescriptor
{
    public const string FileName = "run.json";
    public const string WeightsFileName = "model.dat";

    public required IReadOnlyList<string> Labels { get; init; }
    public required BackboneSpec Backbone { get; init; }
    public required HeadOptions Head { get; init; }
    public required TrainingOptions Training { get; init; }
    public required AugmentationOptions Augmentation { get; init; }
    public required string DataDirectory { get; init; }
    public required double ValidationFraction { get; init; }
    public required double TestFraction { get; init; }
    public required IReadOnlyList<string> TrainFiles { get; init; }
    public required IReadOnlyList<string> ValidationFiles { get; init; }
    public required IReadOnlyList<string> TestFiles { get; init; }
    /// <summary>C, H, W of the feature map the head reads.</summary>
    public required int[] FeatureShape { get; init; }
    public IReadOnlyList<EpochRecord> History { get; init; } = [];
    public double TrainingSeconds { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
}
