namespace EdgeAgent.Training.Calibration;

/// <summary>What calibration found on the validation split: the fitted temperature, NLL and ECE before and after, the OOD threshold.</summary>
public sealed record CalibrationReport
{
    public required double Temperature { get; init; }
    public required double NllBefore { get; init; }
    public required double NllAfter { get; init; }
    public required double EceBefore { get; init; }
    public required double EceAfter { get; init; }
    public required int Samples { get; init; }
    /// <summary>Every validation image classified correctly: no temperature can be fitted and T stayed 1.</summary>
    public required bool Separable { get; init; }
    public required IReadOnlyList<ReliabilityBin> BinsBefore { get; init; }
    public required IReadOnlyList<ReliabilityBin> BinsAfter { get; init; }

    /// <summary>Fits the temperature on validation logits and measures calibration before and after.</summary>
    public static CalibrationReport Fit(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels, int bins = CalibrationError.DefaultBins)
    {
        var temperature = TemperatureScaling.Fit(logits, labels);
        var (cb, ok) = CalibrationError.TopClass(logits, labels, 1.0);
        var (ca, oka) = CalibrationError.TopClass(logits, labels, temperature);
        return new CalibrationReport
        {
            Temperature = temperature,
            NllBefore = TemperatureScaling.NegativeLogLikelihood(logits, labels, 1.0),
            NllAfter = TemperatureScaling.NegativeLogLikelihood(logits, labels, temperature),
            EceBefore = CalibrationError.Expected(cb, ok, bins),
            EceAfter = CalibrationError.Expected(ca, oka, bins),
            Samples = logits.Count,
            Separable = TemperatureScaling.IsSeparable(logits, labels),
            BinsBefore = CalibrationError.Bins(cb, ok, bins),
            BinsAfter = CalibrationError.Bins(ca, oka, bins),
        };
    }
}
