using EdgeAgent.Training.Models;
using EdgeAgent.Training.Training;
using TorchSharp;
using TorchSharp.Modules;

namespace EdgeAgent.Training.Tests;

/// <summary>
/// The paper's TorchSharp backbones: feature map shapes (a real forward at a small input against
/// the size arithmetic the head is built from) and parameter counts against the published models.
/// </summary>
[Collection(TorchSharpGlobalStateCollection.Name)]
public sealed class TorchBackboneArchitectureTests
{
    [Theory]
    // Odd sides (floor at every stride) at the smallest inputs the networks take; the export
    // parity tests run the same backbones at 64 and 107 px against the same size arithmetic.
    [InlineData("densenet121", 75, 1024, 2)]          // 38, 19, 9, 4, 2
    [InlineData("inception_v3", 75, 2048, 1)]         // torchvision's minimum input: 37, 35, 17, 15, 7, 3, 1
    [InlineData("inception_resnet_v2", 75, 1536, 1)]  // Keras' minimum input
    public void Forward_gives_the_feature_map_the_head_is_built_for(string name, int inputSize, int channels, int side)
    {
        var (backbone, c, h, w) = TorchBackbones.Create(name, inputSize);
        using (backbone)
        {
            backbone.eval();
            using var noGrad = torch.no_grad();
            using var images = torch.randn(2, 3, inputSize, inputSize);
            using var features = backbone.forward(images);
            Assert.Equal([2L, channels, side, side], features.shape);
            Assert.Equal((channels, side, side), (c, h, w));
        }
    }

    [Theory]
    [InlineData("densenet121", 224, 1024, 7)]
    [InlineData("inception_v3", 299, 2048, 8)]
    [InlineData("inception_resnet_v2", 299, 1536, 8)]
    public void Backbone_option_selects_the_network_at_its_native_size_with_the_published_feature_map(string name, int nativeSize, int channels, int side)
    {
        // `--backbone NAME` without --input-size; the side is the arithmetic the forward tests above check at small sizes.
        var spec = BackboneSpec.Parse(name, null, null, null, null);
        Assert.False(spec.IsFrozenOnnx);
        Assert.Equal(nativeSize, spec.InputSize);
        var (backbone, c, h, w) = TorchBackbones.Create(name, spec.InputSize);
        backbone.Dispose();
        Assert.Equal((channels, side, side), (c, h, w));
        Assert.Throws<ArgumentException>(() => TorchBackbones.Create(name, 15)); // too small for the strides: refused before building
    }

    /// <summary>
    /// Published counts. torchvision (BN with scale and shift, 2 parameters per channel; running
    /// statistics are buffers, not parameters): densenet121 7,978,856 of which the classifier
    /// Linear(1024, 1000) is 1,025,000, leaving 6,953,856 for .features; inception_v3 27,161,264 of
    /// which fc Linear(2048, 1000) is 2,049,000 and AuxLogits 3,326,696 (1x1 conv 768->128 98,304 +
    /// BN 256; 5x5 conv 128->768 2,457,600 + BN 1,536; Linear(768, 1000) 769,000), leaving 21,785,568.
    /// Keras (the paper's code; BN without scale in the Inception networks, so 3 numbers per channel,
    /// two of them the non-trainable running statistics): InceptionResNetV2 55,873,736 in total with
    /// 60,544 non-trainable (so 30,272 BN channels) and a 1,537,000 top Linear(1536, 1000): without the
    /// top and with a BN scale added per channel, 55,873,736 - 1,537,000 - 60,544 + 30,272 = 54,306,464.
    /// InceptionV3 in Keras (23,851,784 total, 34,432 non-trainable) gives 21,785,568 the same way,
    /// agreeing with torchvision. Keras' DenseNet121 without top (BN with scale) has 6,953,856
    /// trainable parameters, as torchvision, and 83,648 non-trainable: 41,824 BN channels. The architectures are the same, so the counts must match exactly.
    /// </summary>
    [Theory]
    [InlineData("densenet121", 6_953_856, 41_824)]
    [InlineData("inception_v3", 21_785_568, 17_216)]
    [InlineData("inception_resnet_v2", 54_306_464, 30_272)]
    public void Parameter_counts_match_the_published_architectures(string name, long parameters, long batchNormChannels)
    {
        var (backbone, _, _, _) = TorchBackbones.Create(name, 299);
        using (backbone)
        {
            Assert.Equal(parameters, backbone.parameters().Sum(p => p.numel()));
            Assert.Equal(batchNormChannels, backbone.modules().OfType<BatchNorm2d>().Sum(b => b.running_mean!.numel()));
        }
    }
}
