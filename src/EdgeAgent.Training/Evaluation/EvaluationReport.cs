namespace EdgeAgent.Training.Evaluation;

/// <summary>metrics.json of a run: the test-set metrics, the pointing game, and k-fold results when asked.</summary>
public sealed record EvaluationReport
{
    public required IReadOnlyList<string> Labels { get; init; }
    public required string Dataset { get; init; }
    public required ClassificationMetrics Test { get; init; }
    public IReadOnlyList<PointingGameResult> PointingGame { get; init; } = [];
    public IReadOnlyList<ClassificationMetrics>? Folds { get; init; }
    public double TrainingSeconds { get; init; }
}
