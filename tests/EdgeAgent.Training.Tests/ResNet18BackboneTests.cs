using EdgeAgent.Onnx.Assembly;
using Onnx;

namespace EdgeAgent.Training.Tests;

public sealed class ResNet18BackboneTests
{
    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet18-stage3")]
    public void Cut_and_upgraded_backbone_equals_the_original_CNTK_graph_with_its_own_preprocessing(string name)
    {
        var cut = ResNet18Cut.ByName(name)!;
        var backbone = ResNet18Backbone.Load(cut: cut);
        Assert.Equal(name, backbone.Name);
        Assert.Equal(17, backbone.Model.OpsetImport.Single().Version);
        Assert.DoesNotContain(backbone.Model.Graph.Node, n => n.Attribute.Any(a => a.Name == "spatial"));
        Assert.DoesNotContain(backbone.Model.Graph.Node, n => n.OpType == "AveragePool");

        var random = new Random(1);
        var image = Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)(random.NextDouble() * 255)).ToArray();
        var ours = OrtRun.Run(backbone.Model, ResNet18Backbone.InputName, image, [1, 3, 224, 224], ResNet18Backbone.FeatureName)[ResNet18Backbone.FeatureName];

        // Reference: the package's own two opset-8 models, run as shipped, with the original
        // cut tensor exposed as an extra output.
        var directory = ResNet18Backbone.DefaultDirectory;
        var preprocess = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(directory, ResNet18Backbone.PreprocessFileName)));
        var prepared = OrtRun.Run(preprocess, preprocess.Graph.Input[0].Name, image, [1, 3, 224, 224], preprocess.Graph.Output[0].Name)[preprocess.Graph.Output[0].Name];
        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(directory, ResNet18Backbone.ModelFileName)));
        original.Graph.Output.Add(OnnxGraphSurgery.FloatValueInfo(cut.CntkTensor, null));
        var reference = OrtRun.Run(original, original.Graph.Input[0].Name, prepared, [1, 3, 224, 224], cut.CntkTensor)[cut.CntkTensor];

        Assert.Equal(cut.Channels * cut.Size * cut.Size, ours.Length);
        // Same weights and ops; only ONNX Runtime's fusion choices for the two opsets can differ,
        // which moves float32 results by a few ulps per layer over at most 17 conv layers.
        Assert.True(OrtRun.RelativeError(ours, reference) <= 1e-5);
        Assert.True(ours.Max() > 0); // a live feature map, not all zeros
    }

    [Fact]
    public void A_head_input_shape_selects_its_cut_and_an_unknown_shape_is_refused_with_the_known_ones()
    {
        Assert.Same(ResNet18Cut.LastStage, ResNet18Cut.ForFeatureShape(512, 7, 7));
        Assert.Same(ResNet18Cut.ThirdStage, ResNet18Cut.ForFeatureShape(256, 14, 14));
        var error = Assert.Throws<InvalidOperationException>(() => ResNet18Cut.ForFeatureShape(128, 28, 28));
        Assert.Contains("128x28x28", error.Message, StringComparison.Ordinal);
        Assert.Contains("resnet18-stage3 256x14x14", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cutting_at_an_unknown_tensor_names_it()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(ResNet18Backbone.DefaultDirectory, ResNet18Backbone.ModelFileName)));
        var error = Assert.Throws<InvalidOperationException>(() => OnnxGraphSurgery.CutAt(model, "no_such_tensor"));
        Assert.Contains("no_such_tensor", error.Message, StringComparison.Ordinal);
    }
}
