using System.Globalization;
using System.Text.Json;
using EdgeAgent.Onnx.Assembly;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Training.Data;
using EdgeAgent.Training.Evaluation;
using EdgeAgent.Training.Training;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using TorchSharp;

namespace EdgeAgent.Training.Export;

/// <summary>
/// `edge-train export`: the trained head as ONNX, joined with the frozen backbone (or the run's
/// TorchSharp backbone written from its trained weights) and given the
/// Grad-CAM subgraph (<see cref="BundledModelAssembler"/>), checked against TorchSharp on real
/// test images, and written as a model package with the evaluation metrics in its manifest.
/// </summary>
public sealed class PackageExporter
{
    /// <summary>
    /// Float32 through 17 conv layers (ONNX Runtime on both sides, same backbone) and then the head
    /// in two runtimes: differences are rounding of ~1e-7 relative per op accumulated over a few
    /// hundred ops, far below 1e-4; a layout or gate-order error is of order 1. A TorchSharp
    /// backbone runs in both runtimes too (up to ~250 convolutions for Inception-ResNet-v2): each
    /// adds summation-order rounding of ~1e-7 relative, still two orders of magnitude below 1e-4.
    /// </summary>
    public const double ParityTolerance = 1e-4;

    private readonly TextWriter output;

    public PackageExporter(TextWriter output) => this.output = output;

    /// <param name="metricsDirectory">Folder whose metrics.json/metrics.md go into the manifest and bundle (default: the run's own test split).</param>
    /// <param name="calibrationDirectory">When given, the package's model is quantized to int8 calibrated on these images (<see cref="ExportQuantization"/>); the bundle stays float.</param>
    public ParityResult Export(string runDirectory, string packageDirectory, string? bundleDirectory, string name, string version, string? metricsDirectory = null, string? calibrationDirectory = null)
    {
        metricsDirectory ??= runDirectory;
        var run = TrainingPipeline.ReadRun(runDirectory);
        using var model = RunModel.Load(runDirectory, run);
        if (model.Frozen is null && bundleDirectory is not null)
        {
            throw new ArgumentException(
                $"Run '{runDirectory}' trained the TorchSharp backbone '{run.Backbone.Name}' end to end; a bundle (head only, assembled with the NuGet ResNet18) " +
                "exists only for frozen-ResNet18 runs. Export it without --bundle.");
        }

        // A TorchSharp backbone is written from its trained weights and then takes the frozen backbone's path.
        var backbone = model.Frozen ?? TorchBackboneOnnxExporter.Export(model);
        var head = HeadOnnxExporter.Export(model.Head);
        var template = Template(metricsDirectory, run, name, version) with { Input = backbone.Input };
        var (joined, manifest) = BundledModelAssembler.Assemble(head, backbone, template);
        var parity = CheckParity(model, run, joined, manifest);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Parity ONNX vs TorchSharp on {parity.Images} test images: max abs {parity.MaxAbsoluteError:E2}, relative {parity.RelativeError:E2} (limit {ParityTolerance:E0}); " +
            $"pooled features relative {parity.FeatureRelativeError:E2}."));
        if (!(parity.RelativeError <= ParityTolerance))
        {
            throw new InvalidOperationException($"Exported model disagrees with TorchSharp: relative error {parity.RelativeError:E2} > {ParityTolerance:E0}; package not written.");
        }

        // The pooled features are a mean of H*W (49 or 196) float32 values of the same map on both sides: the same
        // rounding argument (relative error of a float32 sum grows ~ sqrt(n) ulps, far below 1e-4).
        if (parity.FeatureRelativeError is { } featureError && !(featureError <= ParityTolerance))
        {
            throw new InvalidOperationException($"Exported features output disagrees with TorchSharp's pooled target layer: relative error {featureError:E2} > {ParityTolerance:E0}; package not written.");
        }

        var metrics = new Dictionary<string, double>(manifest.Metrics ?? new Dictionary<string, double>()) { ["export_parity_relative_error"] = parity.RelativeError };
        var fit = Calibration.SafetyCalibrator.Fit(model, run, runDirectory, output);
        var (safety, calibration) = (fit.Safety, fit.Report);
        metrics["calibration_temperature"] = calibration.Temperature;
        metrics["validation_ece_before"] = calibration.EceBefore;
        metrics["validation_ece_after"] = calibration.EceAfter;
        if (safety.FeatureDistance is not null)
        {
            metrics["feature_distance_shrinkage"] = fit.Shrinkage;
        }

        var packageManifest = manifest with { Metrics = metrics, Safety = safety };
        var packageModel = joined;
        if (calibrationDirectory is not null)
        {
            var (int8, quantization, validation) = ExportQuantization.Quantize(joined, manifest, calibrationDirectory, TestSamples(run), output);
            var int8Metrics = new Dictionary<string, double>(metrics) { ["int8_top1_agreement"] = validation.Top1Agreement };
            packageModel = int8;
            packageManifest = packageManifest with { Precision = "int8", Quantization = quantization, Metrics = int8Metrics };
        }

        var writer = new ModelPackageWriter(packageManifest).WithModel(packageModel);
        if (safety.FeatureDistance is { } distance)
        {
            writer.AddFile(distance.File, fit.StatisticsFile!);
        }

        var written = writer.WriteFolder(packageDirectory);
        output.WriteLine($"Package {packageDirectory}: {written.Name} {written.Version}, sha256 {written.Sha256}.");
        if (bundleDirectory is not null)
        {
            WriteBundle(bundleDirectory, metricsDirectory, head, template with { Metrics = metrics, Safety = safety }, fit.StatisticsFile);
        }

        return parity;
    }

    /// <summary>The small, committable bundle: head.onnx, manifest template and the metrics report.</summary>
    private void WriteBundle(string bundleDirectory, string metricsDirectory, ModelProto head, ModelManifest template, byte[]? statistics)
    {
        Directory.CreateDirectory(bundleDirectory);
        if (template.Safety?.FeatureDistance is { } distance && statistics is not null)
        {
            File.WriteAllBytes(Path.Combine(bundleDirectory, distance.File), statistics);
            output.WriteLine($"Bundle {bundleDirectory}: {distance.File} {statistics.Length / 1024} KB.");
        }

        File.WriteAllBytes(Path.Combine(bundleDirectory, BundledModelAssembler.HeadFileName), head.ToByteArray());
        File.WriteAllBytes(Path.Combine(bundleDirectory, BundledModelAssembler.ManifestTemplateFileName), ModelManifestJson.Serialize(template));
        File.Copy(Path.Combine(metricsDirectory, "metrics.md"), Path.Combine(bundleDirectory, "metrics.md"), overwrite: true);
        output.WriteLine($"Bundle {bundleDirectory}: head.onnx {new FileInfo(Path.Combine(bundleDirectory, BundledModelAssembler.HeadFileName)).Length / 1024} KB.");
    }

    private static ModelManifest Template(string metricsDirectory, RunDescriptor run, string name, string version)
    {
        var metrics = new Dictionary<string, double>();
        var metricsPath = Path.Combine(metricsDirectory, "metrics.json");
        if (File.Exists(metricsPath))
        {
            var report = JsonSerializer.Deserialize<EvaluationReport>(File.ReadAllText(metricsPath), ReportWriter.Json)!;
            metrics["test_accuracy"] = report.Test.Accuracy;
            metrics["test_macro_f1"] = report.Test.MacroF1;
            metrics["test_macro_roc_auc"] = report.Test.MacroRocAuc;
            metrics["test_images"] = report.Test.Count;
            foreach (var c in report.Test.PerClass)
            {
                metrics[$"test_recall_{c.Label}"] = c.Recall;
            }

            foreach (var p in report.PointingGame)
            {
                metrics[$"pointing_game_{p.Label}"] = p.HitRate;
            }
        }

        metrics["training_seconds"] = run.TrainingSeconds;
        return new ModelManifest
        {
            Name = name,
            Version = version,
            Labels = run.Labels,
            Input = new InputSpec { Name = "image", Width = 224, Height = 224 }, // set from the backbone by the caller and on assembly
            Outputs = new OutputSpec { Logits = HeadOnnxExporter.LogitsName, Probabilities = HeadOnnxExporter.ProbabilitiesName },
            Sha256 = "",
            TargetLayer = run.Head.Standardize && run.Backbone.IsFrozenOnnx ? HeadOnnxExporter.StandardizedName : null, // as RunModel.Create builds the head
            Trained = true,
            Description = $"CNN-RNN (paper: Islam et al. 2020): {(run.Backbone.IsFrozenOnnx ? "frozen" : "end-to-end-trained TorchSharp")} {run.Backbone.Name} backbone + LSTM({run.Head.LstmUnits}, {run.Head.Activation}) head " +
                $"trained by edge-train on {Path.GetFileName(run.DataDirectory.TrimEnd('/'))}. Synthetic phantoms, not patients: not for clinical use.",
            Metrics = metrics,
        };
    }

    /// <summary>The run's held-out test images still present in its data folder, in the run's order.</summary>
    private static List<ImageSample> TestSamples(RunDescriptor run)
    {
        var byPath = ImageFolderDataset.Load(run.DataDirectory).Samples.ToDictionary(s => s.RelativePath, StringComparer.Ordinal);
        return run.TestFiles.Where(byPath.ContainsKey).Select(f => byPath[f]).ToList();
    }

    /// <summary>Logits of the joined ONNX model vs TorchSharp's head on the backbone features of the same test images.</summary>
    private static ParityResult CheckParity(RunModel model, RunDescriptor run, ModelProto joined, ModelManifest manifest)
    {
        var samples = TestSamples(run).Take(8).ToList();
        if (samples.Count == 0)
        {
            throw new InvalidOperationException($"No test images of the run are left in {run.DataDirectory} to check export parity on.");
        }

        var features = model.MakeInputs(samples, null, run.Training.Seed, null, "");
        var size = model.InputSize;
        using var session = new InferenceSession(joined.ToByteArray());
        double maxDiff = 0, maxRef = 0, featureDiff = 0, featureRef = 0;
        var pooled = manifest.Outputs.Features is null ? null : Calibration.PooledFeatures.Compute(model, features);
        string[] outputs = manifest.Outputs.Features is { } featureName ? [manifest.Outputs.Logits, featureName] : [manifest.Outputs.Logits];
        for (var i = 0; i < samples.Count; i++)
        {
            var image = InputMaker.Load(samples[i], size, null, null);
            var input = Features.FeatureExtractor.ToInput(image, manifest.Input);
            using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, size, size]);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [manifest.Input.Name], [value], outputs);
            var onnx = results[0].GetTensorDataAsSpan<float>().ToArray();
            if (pooled is not null)
            {
                var onnxFeatures = results[1].GetTensorDataAsSpan<float>();
                for (var k = 0; k < pooled[i].Length; k++)
                {
                    featureDiff = Math.Max(featureDiff, Math.Abs(onnxFeatures[k] - pooled[i][k]));
                    featureRef = Math.Max(featureRef, Math.Abs(pooled[i][k]));
                }
            }

            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var shape = new long[] { 1 }.Concat(model.InputShape).ToArray();
            var expected = model.Module.forward(torch.tensor(features.Inputs[i], shape)).data<float>().ToArray();
            for (var k = 0; k < expected.Length; k++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(onnx[k] - expected[k]));
                maxRef = Math.Max(maxRef, Math.Abs(expected[k]));
            }
        }

        return new ParityResult(samples.Count, maxDiff, maxDiff / Math.Max(maxRef, 1e-12))
        {
            FeatureRelativeError = pooled is null ? null : featureDiff / Math.Max(featureRef, 1e-12),
        };
    }
}
