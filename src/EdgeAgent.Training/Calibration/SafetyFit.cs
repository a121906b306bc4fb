using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Training.Calibration;

/// <summary>What <see cref="SafetyCalibrator"/> fitted: the manifest's safety section, the calibration report and the feature statistics file.</summary>
public sealed record SafetyFit(SafetySpec Safety, CalibrationReport Report, FeatureStatistics? Statistics, byte[]? StatisticsFile, double Shrinkage);
