using EdgeAgent.Onnx.Assembly;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Training.Models;
using EdgeAgent.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Export;

/// <summary>
/// Writes a TorchSharp backbone trained end to end as an ONNX graph (image in, feature map out)
/// in the same <see cref="FrozenBackbone"/> form as a pretrained ONNX backbone, so the head export,
/// joining, Grad-CAM transform and packaging are the ones the frozen path uses.
/// </summary>
public static class TorchBackboneOnnxExporter
{
    public const string ImageInputName = "image";
    public const string FeatureName = "backbone_features";

    /// <summary>The backbone of a run whose model is a <see cref="CnnRnnModel"/>.</summary>
    public static FrozenBackbone Export(RunModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var full = model.Module as CnnRnnModel
            ?? throw new ArgumentException($"Run backbone '{model.Spec.Name}' is not a TorchSharp backbone.", nameof(model));
        return Export(full.Backbone, model.Spec.Name, model.InputSize, model.FeatureShape[0], model.FeatureShape[1], model.FeatureShape[2]);
    }

    public static FrozenBackbone Export(nn.Module<Tensor, Tensor> backbone, string name, int inputSize, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        backbone.eval();
        var graph = new GraphBuilder($"{name}_backbone");
        var image = graph.AddFloatInput(ImageInputName, TensorDim.Batch, 3, inputSize, inputSize);
        var features = new TorchOnnxWriter(graph).Write(backbone, image);
        graph.AddNode("Identity", [features], [FeatureName]);
        graph.AddFloatOutput(FeatureName, TensorDim.Batch, channels, height, width);
        graph.SetMetadata("edgeagent.backbone", $"{name} (TorchSharp, trained end to end) {inputSize}px -> {channels}x{height}x{width}");
        return new FrozenBackbone
        {
            Name = name,
            Model = graph.Build(),
            InputName = ImageInputName,
            FeatureName = FeatureName,
            Channels = channels,
            FeatureHeight = height,
            FeatureWidth = width,
            // The same ImageNet normalisation the training inputs had (InputMaker.ToNormalizedRgb).
            Input = new InputSpec
            {
                Name = ImageInputName,
                Width = inputSize,
                Height = inputSize,
                Channels = ChannelOrder.Rgb,
                Scale = 1f / 255f,
                Mean = [0.485f, 0.456f, 0.406f],
                Std = [0.229f, 0.224f, 0.225f],
            },
        };
    }
}
