using EdgeAgent.Onnx.Packaging;
using Onnx;

namespace EdgeAgent.Onnx.Assembly;

/// <summary>A user-supplied ONNX model used as a frozen backbone, cut at a named feature tensor.</summary>
public static class OnnxBackbone
{
    /// <summary>
    /// Cuts <paramref name="modelPath"/> at <paramref name="featureTensor"/> (a [N, C, H, W] map).
    /// The channel count and grid come from <paramref name="featureShape"/> (C, H, W) because many
    /// exports carry no intermediate shapes; the trainer checks them against the first real run.
    /// </summary>
    public static FrozenBackbone Load(string modelPath, string featureTensor, (int Channels, int Height, int Width) featureShape, InputSpec input, int opset = 17)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"Backbone model '{modelPath}' not found.", modelPath);
        }

        var model = OnnxGraphSurgery.CutAt(ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath)), featureTensor);
        OpsetUpgrader.Upgrade(model, opset);
        var initializerNames = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var imageInputs = model.Graph.Input.Where(i => !initializerNames.Contains(i.Name)).ToList();
        if (imageInputs.Count != 1)
        {
            throw new InvalidOperationException($"{modelPath}: the part up to '{featureTensor}' has {imageInputs.Count} inputs; a backbone needs exactly one image input.");
        }

        if (imageInputs[0].Name != input.Name)
        {
            throw new InvalidOperationException($"{modelPath}: image input is '{imageInputs[0].Name}' but the input spec names '{input.Name}'.");
        }

        model.Graph.Output.Clear();
        model.Graph.Output.Add(OnnxGraphSurgery.FloatValueInfo(featureTensor, [-1, featureShape.Channels, featureShape.Height, featureShape.Width]));
        return new FrozenBackbone
        {
            Name = Path.GetFileNameWithoutExtension(modelPath),
            Model = model,
            InputName = input.Name,
            FeatureName = featureTensor,
            Channels = featureShape.Channels,
            FeatureHeight = featureShape.Height,
            FeatureWidth = featureShape.Width,
            Input = input,
        };
    }
}
