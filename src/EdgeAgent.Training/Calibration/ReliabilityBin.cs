namespace EdgeAgent.Training.Calibration;

/// <summary>One confidence bin of a reliability diagram: (Lower, Upper], how many samples, their mean confidence and accuracy.</summary>
public sealed record ReliabilityBin(double Lower, double Upper, int Count, double MeanConfidence, double Accuracy);
