using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static EdgeAgent.Training.Models.BackboneLayers;

namespace EdgeAgent.Training.Models;

/// <summary>
/// Inception-ResNet-v2 (Szegedy et al. 2016, "Inception-v4, Inception-ResNet and the Impact of
/// Residual Connections") up to conv_7b, with the layer sizes of the Keras application the paper
/// used: stem to 35x35x192, Mixed_5b (320), 10 x block35 (residual scale 0.17), reduction Mixed_6a
/// (17x17x1088), 20 x block17 (0.1), reduction Mixed_7a (8x8x2080), 10 x block8 (0.2; the last one
/// scale 1 and no ReLU), conv_7b 1x1 to 1536. The residual up-projections are 1x1 convolutions with
/// bias and no BN; average pools exclude padding (TensorFlow's "same" pooling). 299 -> 1536 x 8 x 8.
/// </summary>
public static class InceptionResNetV2
{
    public const int Channels = 1536;

    public static Module<Tensor, Tensor> Create()
    {
        var layers = new List<Module<Tensor, Tensor>>
        {
            ConvBnRelu(3, 32, 3, stride: 2), ConvBnRelu(32, 32, 3), ConvBnRelu(32, 64, 3, padding: 1), MaxPool2d(3, 2),
            ConvBnRelu(64, 80, 1), ConvBnRelu(80, 192, 3), MaxPool2d(3, 2),
            new ConcatBranches( // Mixed_5b: 35x35x320
                ConvBnRelu(192, 96, 1),
                Sequential(ConvBnRelu(192, 48, 1), ConvBnRelu(48, 64, 5, padding: 2)),
                Sequential(ConvBnRelu(192, 64, 1), ConvBnRelu(64, 96, 3, padding: 1), ConvBnRelu(96, 96, 3, padding: 1)),
                Sequential(AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false), ConvBnRelu(192, 64, 1))),
        };
        layers.AddRange(Enumerable.Range(0, 10).Select(_ => Block35()));
        layers.Add(new ConcatBranches( // Mixed_6a: 17x17x1088
            ConvBnRelu(320, 384, 3, stride: 2),
            Sequential(ConvBnRelu(320, 256, 1), ConvBnRelu(256, 256, 3, padding: 1), ConvBnRelu(256, 384, 3, stride: 2)),
            MaxPool2d(3, 2)));
        layers.AddRange(Enumerable.Range(0, 20).Select(_ => Block17()));
        layers.Add(new ConcatBranches( // Mixed_7a: 8x8x2080
            Sequential(ConvBnRelu(1088, 256, 1), ConvBnRelu(256, 384, 3, stride: 2)),
            Sequential(ConvBnRelu(1088, 256, 1), ConvBnRelu(256, 288, 3, stride: 2)),
            Sequential(ConvBnRelu(1088, 256, 1), ConvBnRelu(256, 288, 3, padding: 1), ConvBnRelu(288, 320, 3, stride: 2)),
            MaxPool2d(3, 2)));
        layers.AddRange(Enumerable.Range(0, 9).Select(_ => Block8(0.2, relu: true)));
        layers.Add(Block8(1.0, relu: false));
        layers.Add(ConvBnRelu(2080, Channels, 1)); // conv_7b
        return Sequential(layers);
    }

    /// <summary>Feature map side at an input side.</summary>
    public static int FeatureSize(int input)
    {
        var side = OutputSize(OutputSize(OutputSize(input, 3, 2), 3, 1), 3, 2);
        side = OutputSize(OutputSize(side, 3, 1), 3, 2);
        return OutputSize(OutputSize(side, 3, 2), 3, 2);
    }

    private static ScaledResidual Block35() => new(
        Sequential(
            new ConcatBranches(
                ConvBnRelu(320, 32, 1),
                Sequential(ConvBnRelu(320, 32, 1), ConvBnRelu(32, 32, 3, padding: 1)),
                Sequential(ConvBnRelu(320, 32, 1), ConvBnRelu(32, 48, 3, padding: 1), ConvBnRelu(48, 64, 3, padding: 1))),
            Conv2d(128, 320, 1)),
        0.17,
        relu: true);

    private static ScaledResidual Block17() => new(
        Sequential(
            new ConcatBranches(
                ConvBnRelu(1088, 192, 1),
                Sequential(ConvBnRelu(1088, 128, 1), ConvBnRelu(128, 160, 1, 7, padWidth: 3), ConvBnRelu(160, 192, 7, 1, padHeight: 3))),
            Conv2d(384, 1088, 1)),
        0.1,
        relu: true);

    private static ScaledResidual Block8(double scale, bool relu) => new(
        Sequential(
            new ConcatBranches(
                ConvBnRelu(2080, 192, 1),
                Sequential(ConvBnRelu(2080, 192, 1), ConvBnRelu(192, 224, 1, 3, padWidth: 1), ConvBnRelu(224, 256, 3, 1, padHeight: 1))),
            Conv2d(448, 2080, 1)),
        scale,
        relu);
}
