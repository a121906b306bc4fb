using EdgeAgent.Training.Training;

namespace EdgeAgent.Training.Tests;

public sealed class BackboneSpecTests
{
    [Fact]
    public void Unknown_backbone_lists_the_valid_names()
    {
        var error = Assert.Throws<ArgumentException>(() => BackboneSpec.Parse("vgg16", null, null, null, null));
        Assert.Contains("vgg16", error.Message, StringComparison.Ordinal);
        Assert.Contains("resnet18", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void User_onnx_backbone_needs_its_feature_tensor_and_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => BackboneSpec.Parse("onnx", "vgg19.onnx", null, null, null));
        Assert.Contains("--feature-tensor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tiny_defaults_to_64_pixels_and_frozen_backbones_to_224()
    {
        Assert.Equal(64, BackboneSpec.Parse("tiny", null, null, null, null).InputSize);
        Assert.True(BackboneSpec.Parse("resnet18", null, null, null, null).IsFrozenOnnx);
        Assert.False(BackboneSpec.Parse("vgg19", null, null, null, null).IsFrozenOnnx);
    }
}
