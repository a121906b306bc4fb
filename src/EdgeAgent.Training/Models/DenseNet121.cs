using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static EdgeAgent.Training.Models.BackboneLayers;

namespace EdgeAgent.Training.Models;

/// <summary>
/// DenseNet-121 (Huang et al. 2017) features, laid out as torchvision's densenet121().features:
/// 7x7/2 stem and 3x3/2 max-pool, dense blocks of 6, 12, 24 and 16 layers (growth 32, bottleneck
/// 4 x 32) joined by transitions that halve channels and side, then the final BN and the ReLU
/// that torchvision applies in forward (Keras' include_top=False ends the same way).
/// 224 -> 1024 x 7 x 7.
/// </summary>
public static class DenseNet121
{
    public const int Channels = 1024;
    private const int Growth = 32;
    private const int Bottleneck = 4 * Growth;
    private static readonly int[] BlockLayers = [6, 12, 24, 16];

    public static Module<Tensor, Tensor> Create()
    {
        var layers = new List<Module<Tensor, Tensor>>
        {
            Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false), BatchNorm2d(64), ReLU(), MaxPool2d(3, 2, 1),
        };
        var channels = 64;
        for (var block = 0; block < BlockLayers.Length; block++)
        {
            for (var i = 0; i < BlockLayers[block]; i++)
            {
                layers.Add(DenseLayer(channels));
                channels += Growth;
            }

            if (block < BlockLayers.Length - 1)
            {
                layers.Add(Sequential(BatchNorm2d(channels), ReLU(), Conv2d(channels, channels / 2, 1, bias: false), AvgPool2d(2, 2)));
                channels /= 2;
            }
        }

        layers.Add(BatchNorm2d(channels));
        layers.Add(ReLU());
        return Sequential(layers);
    }

    /// <summary>Feature map side at an input side.</summary>
    public static int FeatureSize(int input)
    {
        var side = OutputSize(OutputSize(input, 7, 2, 3), 3, 2, 1);
        for (var transition = 0; transition < BlockLayers.Length - 1; transition++)
        {
            side = OutputSize(side, 2, 2);
        }

        return side;
    }

    /// <summary>BN-ReLU-Conv1x1-BN-ReLU-Conv3x3 whose 32 new channels are appended to its input.</summary>
    private static ConcatBranches DenseLayer(int input) => new(
        Identity(),
        Sequential(
            BatchNorm2d(input), ReLU(), Conv2d(input, Bottleneck, 1, bias: false),
            BatchNorm2d(Bottleneck), ReLU(), Conv2d(Bottleneck, Growth, 3, padding: 1, bias: false)));
}
