namespace EdgeAgent.Training.Training;

/// <summary>One epoch of training history.</summary>
public sealed record EpochRecord(int Epoch, double LearningRate, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy, double Seconds);
