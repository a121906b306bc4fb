namespace EdgeAgent.Training.Evaluation;

/// <summary>One-vs-rest ROC curve points (false positive rate, true positive rate), from (0,0) to (1,1).</summary>
public sealed record RocCurve(string Label, IReadOnlyList<double> FalsePositiveRate, IReadOnlyList<double> TruePositiveRate, double Auc);
