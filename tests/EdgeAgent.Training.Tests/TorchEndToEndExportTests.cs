using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Training.Data;
using EdgeAgent.Training.Export;
using EdgeAgent.Training.Features;
using EdgeAgent.Training.Training;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace EdgeAgent.Training.Tests;

/// <summary>
/// `edge-train export` of a run whose TorchSharp backbone was trained end to end: the whole model
/// is written as ONNX from the trained weights, checked against TorchSharp on the run's test
/// images, and packaged with Grad-CAM.
/// </summary>
[Collection(TorchSharpGlobalStateCollection.Name)]
public sealed class TorchEndToEndExportTests(ITestOutputHelper output) : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("edge-train-torch-export").FullName;

    [Fact]
    public void Tiny_backbone_trained_end_to_end_exports_a_package_matching_TorchSharp_with_a_finite_cam()
    {
        var data = Path.Combine(root, "data");
        // 90 phantoms at 64 px; 30% validation leaves the 20+ images the safety calibration needs.
        SyntheticDatasetWriter.WriteChests(data, new SyntheticDatasetOptions { CountPerClass = 30, Seed = 77, Size = 64 });
        var runDirectory = Path.Combine(root, "run");
        var run = new TrainingPipeline(TextWriter.Null).Train(new TrainRequest
        {
            DataDirectory = data,
            RunDirectory = runDirectory,
            Backbone = BackboneSpec.Parse("tiny", null, null, null, null),
            Head = new Models.HeadOptions { LstmUnits = 8, Activation = "relu", Dense1 = 16, Dense2 = 8, Dropout = 0 },
            Training = new TrainingOptions { Epochs = 5, BatchSize = 8, Optimizer = "adam", LearningRate = 3e-3, Patience = 0, Seed = 5 },
            Augmentation = new AugmentationOptions { CopiesPerImage = 0 },
            ValidationFraction = 0.3,
            TestFraction = 0.2,
        });
        foreach (var epoch in run.History)
        {
            output.WriteLine(epoch.ToString());
        }

        Assert.Equal(5, run.History.Count);

        var package = Path.Combine(root, "package");
        var log = new StringWriter();
        var parity = new PackageExporter(log).Export(runDirectory, package, null, "tiny-e2e", "0.1.0");
        output.WriteLine(log.ToString());
        Assert.Equal(8, parity.Images);
        Assert.True(parity.RelativeError <= PackageExporter.ParityTolerance, $"relative error {parity.RelativeError:E2}");

        using var loaded = ModelPackage.Load(package);
        Assert.Equal(ClassOrder.Labels, loaded.Manifest.Labels);
        Assert.Equal(TorchBackboneOnnxExporter.FeatureName, loaded.Manifest.TargetLayer);
        Assert.Equal(64, loaded.Manifest.Input.Width);
        Assert.Contains("end-to-end-trained TorchSharp tiny", loaded.Manifest.Description);

        // The package as the agent runs it: its own input spec, ONNX Runtime, every output finite.
        using var session = new InferenceSession(loaded.ModelPath);
        var samples = ImageFolderDataset.Load(data).Samples;
        var outputs = ClassOrder.Labels.Select((_, label) =>
            RunPackage(session, loaded.Manifest, samples.First(s => s.Label == label && run.TestFiles.Contains(s.RelativePath)))).ToList();
        foreach (var (probabilities, cam) in outputs)
        {
            Assert.Equal(1.0, probabilities.Sum(), 5);
            Assert.Equal(3 * 8 * 8, cam.Length); // [1, K, 8, 8]: a map per class on the 8x8 feature grid
            Assert.All(cam, v => Assert.True(float.IsFinite(v)));
            Assert.Contains(cam, v => v != 0f);
        }

        // The trained model's output depends on the image (so the parity above exercised the backbone's weights).
        var spread = outputs.Skip(1).Max(o => o.Probabilities.Zip(outputs[0].Probabilities, (a, b) => Math.Abs(a - b)).Max());
        output.WriteLine($"largest probability difference between a covid, a pneumonia and a normal test image: {spread:F4}");
        Assert.True(spread > 1e-3, $"outputs hardly depend on the image ({spread:E2})");

        // A bundle is a head for the NuGet ResNet18; for this run it would be wrong, so export refuses.
        var refusal = Assert.Throws<ArgumentException>(() => new PackageExporter(TextWriter.Null).Export(runDirectory, Path.Combine(root, "p2"), Path.Combine(root, "bundle"), "x", "0.1.0"));
        Assert.Contains("without --bundle", refusal.Message);
    }

    private static (float[] Probabilities, float[] Cam) RunPackage(InferenceSession session, ModelManifest manifest, ImageSample sample)
    {
        var input = FeatureExtractor.ToInput(InputMaker.Load(sample, manifest.Input.Width, null, null), manifest.Input);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, manifest.Input.Height, manifest.Input.Width]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [manifest.Input.Name], [value], [manifest.Outputs.Probabilities!, manifest.Outputs.Cam!]);
        return (results[0].GetTensorDataAsSpan<float>().ToArray(), results[1].GetTensorDataAsSpan<float>().ToArray());
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
