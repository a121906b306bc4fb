using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Onnx.Assembly;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Training.Calibration;
using EdgeAgent.Training.Export;
using EdgeAgent.Training.Models;
using EdgeAgent.Training.Training;
using Xunit.Abstractions;

namespace EdgeAgent.Training.Tests;

/// <summary>
/// Small real run: phantoms written to a temp folder, frozen ResNet18 features, the paper's head,
/// evaluation on a held-out split, export with parity check, and assembly from the bundle.
/// </summary>
[Collection(TorchSharpGlobalStateCollection.Name)]
public sealed class EndToEndTrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("edge-train-e2e").FullName;

    [Fact]
    public void Trains_on_phantoms_beats_90_percent_on_held_out_images_and_exports_a_matching_package()
    {
        var data = Path.Combine(root, "data");
        SyntheticDatasetWriter.WriteChests(data, new SyntheticDatasetOptions { CountPerClass = 90, Seed = 2024, Size = 224 });
        var runDirectory = Path.Combine(root, "run");
        var log = new StringWriter();
        new TrainingPipeline(log).Train(new TrainRequest
        {
            DataDirectory = data,
            RunDirectory = runDirectory,
            Backbone = BackboneSpec.Parse("resnet18", null, null, null, null),
            Head = E2eHead,
            Training = new TrainingOptions { Epochs = 25, Optimizer = "adam", LearningRate = 1e-3, Patience = 0 },
            // One augmented copy per image, as the bundled model's recipe: without it this seeded run held out 92.6 %
            // (one image above the bar), with it 94.4 %.
            Augmentation = new Data.AugmentationOptions { CopiesPerImage = 1 },
            ValidationFraction = 0.15,
            TestFraction = 0.2,
        });

        var report = new TrainingPipeline(TextWriter.Null).Evaluate(runDirectory, null);
        // 18 held-out images per class that the head never saw; 90% is the CI bar of the issue.
        Assert.Equal(54, report.Test.Count);
        output.WriteLine($"held-out accuracy {report.Test.Accuracy:P1}");
        Assert.True(report.Test.Accuracy > 0.90, $"held-out accuracy {report.Test.Accuracy:P1}\n{log}");

        var package = Path.Combine(root, "package");
        var bundle = Path.Combine(root, "bundle");
        var parity = new PackageExporter(TextWriter.Null).Export(runDirectory, package, bundle, "e2e", "0.1.0");
        Assert.True(parity.RelativeError <= PackageExporter.ParityTolerance);

        using var loaded = ModelPackage.Load(package);
        Assert.Equal(["covid", "pneumonia", "normal"], loaded.Manifest.Labels);
        Assert.Equal("cam", loaded.Manifest.Outputs.Cam);
        Assert.Equal(HeadOnnxExporter.StandardizedName, loaded.Manifest.TargetLayer);
        Assert.Equal(report.Test.Accuracy, loaded.Manifest.Metrics!["test_accuracy"], 6);
        // Export fitted the safety section on the validation split (Calibration/SafetyCalibrator).
        var safety = Assert.IsType<SafetySpec>(loaded.Manifest.Safety);
        Assert.Equal("energy", safety.OodScore);
        Assert.True(safety.ReviewThreshold <= safety.OodThreshold);
        var evaluation = Calibration.SafetyEvaluation.Measure(package, perClass: 30, perKind: 10, size: 224);
        output.WriteLine($"T = {safety.Temperature:0.000}, OOD threshold {safety.OodThreshold:0.###}; {evaluation}");
        Assert.True(evaluation.GateFalseRejection <= 0.05, evaluation.ToString());
        // Export also fitted the Mahalanobis statistics and put them in the package with the features output.
        Assert.Equal("features", loaded.Manifest.Outputs.Features);
        var distance = Assert.IsType<FeatureDistanceSpec>(safety.FeatureDistance);
        var statistics = Assert.IsType<FeatureStatistics>(loaded.FeatureStatistics);
        Assert.Equal(512, statistics.Dimensions);
        Assert.True(distance.ReviewThreshold <= distance.OodThreshold);
        Assert.Equal(SafetyCalibrator.DistanceOodTpr, distance.ThresholdTpr);
        Assert.True(double.IsFinite(evaluation.DistanceAuroc), evaluation.ToString());

        // The agent's path: assemble the same model from the small bundle without TorchSharp.
        var assembled = Path.Combine(root, "assembled");
        var manifest = BundledModelAssembler.AssembleResNet18(bundle, assembled);
        Assert.Equal(loaded.Manifest.Sha256, manifest.Sha256);
        using var reassembled = ModelPackage.Load(assembled);
        Assert.Equal(distance, reassembled.Manifest.Safety!.FeatureDistance);
        Assert.Equal(statistics.ToBytes(), reassembled.FeatureStatistics!.ToBytes());
        Assert.True(new FileInfo(Path.Combine(bundle, BundledModelAssembler.HeadFileName)).Length < 1 << 20);

        // `export --quantize --calibration DIR`: the package's model becomes int8 QDQ, calibrated on DIR.
        var calibration = Path.Combine(root, "calibration");
        Directory.CreateDirectory(calibration);
        foreach (var label in loaded.Manifest.Labels)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(data, label), "*.png").Where(f => !f.EndsWith(".mask.png", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Take(4))
            {
                File.Copy(file, Path.Combine(calibration, label + "-" + Path.GetFileName(file)));
            }
        }

        var int8Package = Path.Combine(root, "package-int8");
        new PackageExporter(TextWriter.Null).Export(runDirectory, int8Package, null, "e2e", "0.1.0", calibrationDirectory: calibration);
        using var int8 = ModelPackage.Load(int8Package);
        Assert.Equal("int8", int8.Manifest.Precision);
        var quantization = Assert.IsType<QuantizationInfo>(int8.Manifest.Quantization);
        Assert.Equal(12, quantization.CalibrationSamples);
        Assert.Equal("calibration", quantization.CalibrationSource);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(int8.ModelPath)).Graph;
        Assert.Contains(graph.Node, n => n.OpType == "QuantizeLinear");
        Assert.Contains(graph.Initializer, t => t.DataType == (int)global::Onnx.TensorProto.Types.DataType.Int8);
        Assert.Equal("cam", int8.Manifest.Outputs.Cam);
        // Per-channel int8 weights on a ResNet18 move logits by a few percent of their spread; the head
        // separates the phantoms with margins far larger, so at most a few of the 54 held-out images
        // may change class (0.9 leaves room for 5).
        Assert.True(int8.Manifest.Metrics!["int8_top1_agreement"] >= 0.9, $"int8 top-1 agreement {int8.Manifest.Metrics["int8_top1_agreement"]:P1}");
        Assert.True(new FileInfo(int8.ModelPath).Length < new FileInfo(loaded.ModelPath).Length / 2);
    }

    /// <summary>The bundled model's head sizes (models/README.md): small enough for a head.onnx under 1 MB.</summary>
    internal static HeadOptions E2eHead => new() { LstmUnits = 64, Activation = "tanh", Dense1 = 16, Dense2 = 32, Dropout = 0.3 };

    public void Dispose() => Directory.Delete(root, recursive: true);
}
