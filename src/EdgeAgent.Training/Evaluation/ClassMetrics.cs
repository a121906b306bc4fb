namespace EdgeAgent.Training.Evaluation;

/// <summary>One class's one-vs-rest figures.</summary>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support, double RocAuc);
