using System.Globalization;
using EdgeAgent.Imaging;
using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Imaging.Preprocessing;
using EdgeAgent.Inference.Safety;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Training.Calibration;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Training.Tests.Calibration;

/// <summary>
/// The safety numbers of an exported package on images it never saw: fresh chest phantoms (new seeds) as the
/// in-distribution set; hand, knee, blank and noise phantoms as the out-of-distribution set. Scores come from a real
/// ONNX Runtime session of the package and the agent's own gate and energy score.
/// </summary>
internal sealed record SafetyEvaluation(double GateFalseRejection, double GateRejectionOfNonChest, double EnergyAuroc, double OodFlaggedAtThreshold,
    double ChestFlaggedAtThreshold, double EceBefore, double EceAfter, int Chest, int NonChest)
{
    /// <summary>AUROC of the Mahalanobis feature distance (package statistics, agent's scorer), non-chest vs held-out chest.</summary>
    public double DistanceAuroc { get; init; } = double.NaN;

    /// <summary>Share of non-chest images above safety.featureDistance.oodThreshold.</summary>
    public double DistanceFlagged { get; init; } = double.NaN;

    /// <summary>Share of held-out chest images above that threshold (false flags).</summary>
    public double ChestDistanceFlagged { get; init; } = double.NaN;

    /// <summary>Top-class accuracy on the held-out chest images.</summary>
    public double Accuracy { get; init; } = double.NaN;

    /// <summary>ECE at the temperature that is best for the held-out set itself (what temperature alone can reach).</summary>
    public double EceOracle { get; init; } = double.NaN;

    /// <summary>Mean ECE of a perfectly calibrated model with the fitted confidences on this many images.</summary>
    public double EceFloor { get; init; } = double.NaN;

    public static SafetyEvaluation Measure(string packageDirectory, int perClass, int perKind, int size)
    {
        using var package = ModelPackage.Load(packageDirectory);
        var manifest = package.Manifest;
        var safety = manifest.Safety ?? throw new InvalidOperationException("package has no safety section");
        using var session = new InferenceSession(package.ModelPath);
        var gate = new InputQualityGate(new SafetyOptions());
        var chest = Enum.GetValues<PhantomClass>()
            .SelectMany(c => Enumerable.Range(0, perClass).Select(i => (Label: (int)c, Image: new PhantomGenerator(size).Generate(c, (ulong)(900_000 + i)).Image)))
            .ToList();
        var nonChest = Enum.GetValues<NonChestKind>()
            .SelectMany(k => Enumerable.Range(0, perKind).Select(i => new NonChestPhantomGenerator(size).Generate(k, (ulong)(700_000 + i)).Image))
            .ToList();

        var chestRuns = chest.Select(c => Run(session, manifest, c.Image)).ToList();
        var otherRuns = nonChest.Select(i => Run(session, manifest, i)).ToList();
        var chestLogits = chestRuns.Select(r => r.Logits).ToList();
        var labels = chest.Select(c => manifest.Labels.ToList().IndexOf(PhantomLabels.Of((PhantomClass)c.Label))).ToList();
        var chestScores = chestLogits.Select(z => OodScores.EnergyOf(z, safety.Temperature)).ToList();
        var otherScores = otherRuns.Select(r => OodScores.EnergyOf(r.Logits, safety.Temperature)).ToList();
        var distance = new SafetyEvaluation(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, 0);
        if (package.FeatureStatistics is { } statistics && safety.FeatureDistance is { } spec)
        {
            var chestDistances = chestRuns.Select(r => statistics.NearestClassDistance(r.Features!)).ToList();
            var otherDistances = otherRuns.Select(r => statistics.NearestClassDistance(r.Features!)).ToList();
            distance = distance with
            {
                DistanceAuroc = OodThreshold.Auroc(chestDistances, otherDistances),
                DistanceFlagged = otherDistances.Count(d => d > spec.OodThreshold) / (double)otherDistances.Count,
                ChestDistanceFlagged = OodThreshold.FalseFlagRate(chestDistances, spec.OodThreshold),
            };
        }

        return new SafetyEvaluation(
            chest.Count(c => !gate.Check(c.Image).Accepted) / (double)chest.Count,
            nonChest.Count(i => !gate.Check(i).Accepted) / (double)nonChest.Count,
            OodThreshold.Auroc(chestScores, otherScores),
            otherScores.Count(s => s > safety.OodThreshold) / (double)otherScores.Count,
            OodThreshold.FalseFlagRate(chestScores, safety.OodThreshold!.Value),
            CalibrationError.OfLogits(chestLogits, labels, 1.0),
            CalibrationError.OfLogits(chestLogits, labels, safety.Temperature),
            chest.Count,
            nonChest.Count)
        {
            Accuracy = CalibrationError.TopClass(chestLogits, labels, 1.0).Correct.Count(c => c) / (double)chest.Count,
            EceOracle = CalibrationError.OfLogits(chestLogits, labels, TemperatureScaling.Fit(chestLogits, labels)),
            EceFloor = CalibrationError.SamplingFloor(CalibrationError.TopClass(chestLogits, labels, safety.Temperature).Confidences).Mean,
            DistanceAuroc = distance.DistanceAuroc,
            DistanceFlagged = distance.DistanceFlagged,
            ChestDistanceFlagged = distance.ChestDistanceFlagged,
        };
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"held-out chest phantoms {Chest}, non-chest {NonChest}: gate false rejection {GateFalseRejection:P1}, gate rejects non-chest {GateRejectionOfNonChest:P1}; " +
        $"energy AUROC {EnergyAuroc:0.000}, non-chest flagged OOD {OodFlaggedAtThreshold:P1}, chest flagged OOD {ChestFlaggedAtThreshold:P1}; " +
        $"feature-distance AUROC {DistanceAuroc:0.000}, non-chest flagged {DistanceFlagged:P1}, chest flagged {ChestDistanceFlagged:P1}; accuracy {Accuracy:P1}, ECE {EceBefore:0.0000} -> {EceAfter:0.0000} " +
        $"(best temperature for this set {EceOracle:0.0000}, sampling floor of a perfectly calibrated model {EceFloor:0.0000})");

    private static (float[] Logits, float[]? Features) Run(InferenceSession session, ModelManifest manifest, DecodedImage image)
    {
        var tensor = Preprocessor.ToTensor(image, manifest.Input);
        var channels = manifest.Input.Channels == ChannelOrder.Gray ? 1 : 3;
        using var value = OrtValue.CreateTensorValueFromMemory(tensor, [1, channels, manifest.Input.Height, manifest.Input.Width]);
        using var runOptions = new RunOptions();
        string[] outputs = manifest.Outputs.Features is { } features ? [manifest.Outputs.Logits, features] : [manifest.Outputs.Logits];
        using var results = session.Run(runOptions, [manifest.Input.Name], [value], outputs);
        return (results[0].GetTensorDataAsSpan<float>().ToArray(), outputs.Length > 1 ? results[1].GetTensorDataAsSpan<float>().ToArray() : null);
    }
}
