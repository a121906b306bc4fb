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
    /// <param name="collapsed">Ship a model whose outputs ignore the input (it passes its own golden self-test; only the health watch can catch it).</param>
    public static string Build(string directory, string version, bool wrongGoldenLabel = false, int paddingBytes = 0, bool collapsed = false)
    {
        var golden = TestImages.Noise(99);
        var onnx = collapsed ? CollapsedModel() : TestModels.GapModel();
        // The publisher's reference run: the golden expectation comes from the model it ships, on the CPU provider.
        var reference = Path.Combine(directory, collapsed ? "reference-collapsed" : "reference");
        if (!Directory.Exists(reference))
        {
            new ModelPackageWriter(TestModels.GapManifest()).WithModel(OnnxModelFile.FromBytes(onnx)).WriteFolder(reference);
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
        var writer = new ModelPackageWriter(manifest).WithModel(OnnxModelFile.FromBytes(onnx)).AddFile("golden/g0.png", golden);
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

    /// <summary>The GAP test model with zero convolution weights: the feature map is ReLU(bias) whatever the image, so every input gets the same logits.</summary>
    public static byte[] CollapsedModel()
    {
        var model = global::Onnx.ModelProto.Parser.ParseFrom(TestModels.GapModel());
        var weights = model.Graph.Initializer.Single(t => t.Name == "conv_w");
        var count = weights.FloatData.Count;
        weights.FloatData.Clear();
        weights.FloatData.Add(new float[count]);
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }
}
