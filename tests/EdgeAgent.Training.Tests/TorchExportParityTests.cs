using EdgeAgent.Training.Export;
using EdgeAgent.Training.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace EdgeAgent.Training.Tests;

/// <summary>
/// Whole-model ONNX export of TorchSharp backbones at random initialisation (with trained-like
/// weight ranges and batch norm statistics, see <see cref="TorchModelExport.SetTrainedLikeWeights"/>) against TorchSharp's own forward, at small inputs.
/// </summary>
[Collection(TorchSharpGlobalStateCollection.Name)]
public sealed class TorchExportParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("densenet121", 64)]
    [InlineData("inception_v3", 107)]
    [InlineData("inception_resnet_v2", 107)]
    [InlineData("resnet18-torch", 64)] // its residual block; vgg19 and tiny use only ops these cover (tiny: TorchEndToEndExportTests)
    public void Exported_model_matches_TorchSharp_on_the_feature_map_and_the_logits(string name, int inputSize)
    {
        torch.set_num_threads(1);
        var spec = BackboneSpec.Parse(name, null, null, null, inputSize);
        using var model = RunModel.Create(spec, TorchModelExport.SmallHead, seed: 11);
        var backbone = ((Models.CnnRnnModel)model.Module).Backbone;
        TorchModelExport.SetTrainedLikeWeights(model.Module, seed: 12);
        using var images = torch.randn(4, 3, inputSize, inputSize);
        var (onnx, manifest) = TorchModelExport.Export(model);
        float[] expectedFeatures, expectedLogits;
        using (torch.no_grad())
        using (var features = backbone.forward(images))
        using (var logits = model.Module.forward(images))
        {
            expectedFeatures = features.data<float>().ToArray();
            expectedLogits = logits.data<float>().ToArray();
        }

        var (c, h, w) = (model.FeatureShape[0], model.FeatureShape[1], model.FeatureShape[2]);
        var input = images.data<float>().ToArray();
        long[] shape = [4, 3, inputSize, inputSize];
        var results = OrtRun.Run(onnx, manifest.Input.Name, input, shape, TorchBackboneOnnxExporter.FeatureName, manifest.Outputs.Logits, manifest.Outputs.Cam!);
        var featureError = OrtRun.RelativeError(results[TorchBackboneOnnxExporter.FeatureName], expectedFeatures);
        var logitError = OrtRun.RelativeError(results[manifest.Outputs.Logits], expectedLogits);
        output.WriteLine($"{name} at {inputSize}px ({c}x{h}x{w}): feature map relative error {featureError:E2}, logits {logitError:E2}");

        // Float32 in two runtimes, the same ops summed in different orders (ONNX Runtime also folds
        // BN into the convolutions): ~1e-7 relative per layer, growing like a random walk over the
        // longest path (~100 layers) to a few 1e-6; a wrong padding, pool or BN vector is of order 1.
        Assert.True(featureError <= 1e-5, $"feature map relative error {featureError:E2}");
        // The whole model against the exporter's own limit (see PackageExporter.ParityTolerance).
        Assert.True(logitError <= PackageExporter.ParityTolerance, $"logits relative error {logitError:E2}");
        Assert.True(expectedFeatures.Max(Math.Abs) > 0.1f, "the feature map is ~0: the logits would not depend on the backbone");
        var cam = results[manifest.Outputs.Cam!];
        Assert.Equal(4 * 3 * h * w, cam.Length);
        Assert.All(cam, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void A_module_without_an_ONNX_form_stops_the_export_naming_its_type()
    {
        using var backbone = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.GELU());
        var error = Assert.Throws<NotSupportedException>(() => TorchBackboneOnnxExporter.Export(backbone, "custom", 16, 4, 14, 14));
        Assert.Contains("GELU", error.Message, StringComparison.Ordinal);
    }
}
