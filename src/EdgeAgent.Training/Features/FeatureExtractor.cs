using EdgeAgent.Onnx.Assembly;
using EdgeAgent.Training.Data;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Training.Features;

/// <summary>Runs a frozen ONNX backbone with ONNX Runtime: gray images in, feature maps [C*H*W] out.</summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly InferenceSession session;
    private readonly FrozenBackbone backbone;

    public FeatureExtractor(FrozenBackbone backbone, int threads = 0)
    {
        this.backbone = backbone;
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads > 0)
        {
            options.IntraOpNumThreads = threads;
        }

        session = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(backbone.Model), options);
    }

    public int FeatureLength => backbone.Channels * backbone.FeatureHeight * backbone.FeatureWidth;

    public int InputSize => backbone.Input.Width;

    /// <summary>Converts a gray image (already at the input size) to the backbone's input layout.</summary>
    public float[] ToInput(GrayImage image) => ToInput(image, backbone.Input);

    /// <summary>Gray replicated to three channels, each pixel p becoming (p * Scale - Mean[c]) / Std[c], CHW.</summary>
    public static float[] ToInput(GrayImage image, Onnx.Packaging.InputSpec spec)
    {
        if (image.Width != spec.Width || image.Height != spec.Height)
        {
            throw new ArgumentException($"Image is {image.Width}x{image.Height}; the backbone takes {spec.Width}x{spec.Height}.", nameof(image));
        }

        var plane = image.Width * image.Height;
        var input = new float[3 * plane];
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < plane; i++)
            {
                input[(c * plane) + i] = ((image.Pixels[i] * spec.Scale) - spec.Mean[c]) / spec.Std[c];
            }
        }

        return input;
    }

    /// <summary>Feature maps of a batch of images at the input size.</summary>
    public float[][] Extract(IReadOnlyList<GrayImage> images)
    {
        var size = InputSize;
        var batch = new float[images.Count * 3 * size * size];
        for (var i = 0; i < images.Count; i++)
        {
            ToInput(images[i]).CopyTo(batch, i * 3 * size * size);
        }

        using var input = OrtValue.CreateTensorValueFromMemory(batch, [images.Count, 3, size, size]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [backbone.InputName], [input], [backbone.FeatureName]);
        var data = outputs[0].GetTensorDataAsSpan<float>();
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 4 || shape[1] != backbone.Channels || shape[2] != backbone.FeatureHeight || shape[3] != backbone.FeatureWidth)
        {
            throw new InvalidOperationException(
                $"Backbone '{backbone.Name}' tensor '{backbone.FeatureName}' has shape [{string.Join(",", shape)}], " +
                $"expected [N,{backbone.Channels},{backbone.FeatureHeight},{backbone.FeatureWidth}].");
        }

        var result = new float[images.Count][];
        for (var i = 0; i < images.Count; i++)
        {
            result[i] = data.Slice(i * FeatureLength, FeatureLength).ToArray();
        }

        return result;
    }

    public void Dispose() => session.Dispose();
}
