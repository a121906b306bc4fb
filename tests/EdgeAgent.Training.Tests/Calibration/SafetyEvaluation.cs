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

        var chestLogits = chest.Select(c => Logits(session, manifest, c.Image)).ToList();
        var labels = chest.Select(c => manifest.Labels.ToList().IndexOf(PhantomLabels.Of((PhantomClass)c.Label))).ToList();
        var chestScores = chestLogits.Select(z => OodScores.EnergyOf(z, safety.Temperature)).ToList();
        var otherScores = nonChest.Select(i => OodScores.EnergyOf(Logits(session, manifest, i), safety.Temperature)).ToList();
        return new SafetyEvaluation(
            chest.Count(c => !gate.Check(c.Image).Accepted) / (double)chest.Count,
            nonChest.Count(i => !gate.Check(i).Accepted) / (double)nonChest.Count,
            OodThreshold.Auroc(chestScores, otherScores),
            otherScores.Count(s => s > safety.OodThreshold) / (double)otherScores.Count,
            OodThreshold.FalseFlagRate(chestScores, safety.OodThreshold!.Value),
            CalibrationError.OfLogits(chestLogits, labels, 1.0),
            CalibrationError.OfLogits(chestLogits, labels, safety.Temperature),
            chest.Count,
            nonChest.Count);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"held-out chest phantoms {Chest}, non-chest {NonChest}: gate false rejection {GateFalseRejection:P1}, gate rejects non-chest {GateRejectionOfNonChest:P1}; " +
        $"energy AUROC {EnergyAuroc:0.000}, non-chest flagged OOD {OodFlaggedAtThreshold:P1}, chest flagged OOD {ChestFlaggedAtThreshold:P1}; ECE {EceBefore:0.0000} -> {EceAfter:0.0000}");

    private static float[] Logits(InferenceSession session, ModelManifest manifest, DecodedImage image)
    {
        var tensor = Preprocessor.ToTensor(image, manifest.Input);
        var channels = manifest.Input.Channels == ChannelOrder.Gray ? 1 : 3;
        using var value = OrtValue.CreateTensorValueFromMemory(tensor, [1, channels, manifest.Input.Height, manifest.Input.Width]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [manifest.Input.Name], [value], [manifest.Outputs.Logits]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
