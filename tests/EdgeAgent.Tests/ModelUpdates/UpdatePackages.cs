using EdgeAgent.Inference;
using EdgeAgent.Inference.Tests;
using EdgeAgent.Models;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.ModelUpdates;

/// <summary>Zipped model packages as a publisher makes them: the tiny GAP test model plus a golden image.</summary>
internal static class UpdatePackages
{
    public static string Build(string directory, string version, bool wrongGoldenLabel = false, int paddingBytes = 0)
    {
        var golden = TestImages.Noise(99);
        // The publisher's reference run: the golden expectation comes from the model it ships, on the CPU provider.
        var reference = Path.Combine(directory, "reference");
        if (!Directory.Exists(reference))
        {
            AgentHarness.WriteModelPackage(reference);
        }
        var loader = new ModelLoader(new InferenceSessionFactory(new InferenceOptions { IntraOpThreads = 1 }, NullLoggerFactory.Instance), NullLogger<ModelLoader>.Instance);
        Diagnosis expected;
        using (var model = loader.Load(reference, warmUp: false))
        {
            var image = new ImagingPreparer().Prepare(golden, "g0.png", model.Manifest.Input);
            expected = model.Classifier.Classify(image.Tensor);
        }
        var label = wrongGoldenLabel ? TestModels.Labels.First(l => l != expected.Label) : expected.Label;
        var manifest = TestModels.GapManifest() with
        {
            Version = version,
            GoldenImages =
            [
                // Same graph, same provider, same input on the device: only the order of float32 accumulation
                // between thread schedules can differ, far below 1e-4 for a 3-class softmax.
                new GoldenImage { File = "golden/g0.png", ExpectedLabel = label, ExpectedProbabilities = expected.Probabilities, Tolerance = 1e-4 },
            ],
        };
        var writer = new ModelPackageWriter(manifest).WithModel(OnnxModelFile.FromBytes(TestModels.GapModel())).AddFile("golden/g0.png", golden);
        if (paddingBytes > 0)
        {
            var padding = new byte[paddingBytes];
            new Random(5).NextBytes(padding);
            writer.AddFile("notes/padding.bin", padding);
        }
        var zip = Path.Combine(directory, $"pkg-{version}-{Guid.NewGuid():N}.zip");
        writer.WriteZip(zip);
        return zip;
    }
}
