using EdgeAgent.Onnx.Packaging;
using Onnx;

namespace EdgeAgent.Onnx.Assembly;

/// <summary>
/// A feature extractor cut from a pretrained ONNX model: image in, last convolutional feature map out.
/// <see cref="Input"/> says how a pixel becomes the input tensor, so no caller has to know the
/// backbone's own preprocessing.
/// </summary>
public sealed record FrozenBackbone
{
    public required string Name { get; init; }
    public required ModelProto Model { get; init; }
    /// <summary>Graph input of the image tensor [N, 3, H, W].</summary>
    public required string InputName { get; init; }
    /// <summary>Graph output of the feature map [N, C, h, w] (the Grad-CAM target layer).</summary>
    public required string FeatureName { get; init; }
    public required int Channels { get; init; }
    public required int FeatureHeight { get; init; }
    public required int FeatureWidth { get; init; }
    public required InputSpec Input { get; init; }
}
