using EdgeAgent.Onnx.Assembly;
using Onnx;

namespace EdgeAgent.Training.Tests;

public sealed class ResNet18BackboneTests
{
    [Fact]
    public void Cut_and_upgraded_backbone_equals_the_original_CNTK_graph_with_its_own_preprocessing()
    {
        var backbone = ResNet18Backbone.Load();
        Assert.Equal(17, backbone.Model.OpsetImport.Single().Version);
        Assert.DoesNotContain(backbone.Model.Graph.Node, n => n.Attribute.Any(a => a.Name == "spatial"));
        Assert.DoesNotContain(backbone.Model.Graph.Node, n => n.OpType == "AveragePool");

        var random = new Random(1);
        var image = Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)(random.NextDouble() * 255)).ToArray();
        var ours = OrtRun.Run(backbone.Model, ResNet18Backbone.InputName, image, [1, 3, 224, 224], ResNet18Backbone.FeatureName)[ResNet18Backbone.FeatureName];

        // Reference: the package's own two opset-8 models, run as shipped, with the original
        // last ReLU exposed as an extra output.
        var directory = ResNet18Backbone.DefaultDirectory;
        var preprocess = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(directory, ResNet18Backbone.PreprocessFileName)));
        var prepared = OrtRun.Run(preprocess, preprocess.Graph.Input[0].Name, image, [1, 3, 224, 224], preprocess.Graph.Output[0].Name)[preprocess.Graph.Output[0].Name];
        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(directory, ResNet18Backbone.ModelFileName)));
        original.Graph.Output.Add(OnnxGraphSurgery.FloatValueInfo(ResNet18Backbone.CntkFeatureTensor, null));
        var reference = OrtRun.Run(original, original.Graph.Input[0].Name, prepared, [1, 3, 224, 224], ResNet18Backbone.CntkFeatureTensor)[ResNet18Backbone.CntkFeatureTensor];

        Assert.Equal(512 * 7 * 7, ours.Length);
        // Same weights and ops; only ONNX Runtime's fusion choices for the two opsets can differ,
        // which moves float32 results by a few ulps per layer over 17 conv layers.
        Assert.True(OrtRun.RelativeError(ours, reference) <= 1e-5);
        Assert.True(ours.Max() > 0); // a live feature map, not all zeros
    }

    [Fact]
    public void Cutting_at_an_unknown_tensor_names_it()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(ResNet18Backbone.DefaultDirectory, ResNet18Backbone.ModelFileName)));
        var error = Assert.Throws<InvalidOperationException>(() => OnnxGraphSurgery.CutAt(model, "no_such_tensor"));
        Assert.Contains("no_such_tensor", error.Message, StringComparison.Ordinal);
    }
}
