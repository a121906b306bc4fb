using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static EdgeAgent.Training.Models.BackboneLayers;

namespace EdgeAgent.Training.Models;

/// <summary>
/// Inception-v3 (Szegedy et al. 2016, "Rethinking the Inception Architecture") up to Mixed_7c,
/// with torchvision's inception_v3 layer sizes and branch order (no auxiliary classifier, which
/// only matters for training from scratch). 299 -> 2048 x 8 x 8.
/// </summary>
public static class InceptionV3
{
    public const int Channels = 2048;

    public static Module<Tensor, Tensor> Create() => Sequential(
        ConvBnRelu(3, 32, 3, stride: 2),       // Conv2d_1a_3x3
        ConvBnRelu(32, 32, 3),                 // Conv2d_2a_3x3
        ConvBnRelu(32, 64, 3, padding: 1),     // Conv2d_2b_3x3
        MaxPool2d(3, 2),
        ConvBnRelu(64, 80, 1),                 // Conv2d_3b_1x1
        ConvBnRelu(80, 192, 3),                // Conv2d_4a_3x3
        MaxPool2d(3, 2),
        BlockA(192, 32), BlockA(256, 64), BlockA(288, 64), // Mixed_5b..5d: 35x35
        BlockB(288),                                       // Mixed_6a: 17x17x768
        BlockC(128), BlockC(160), BlockC(160), BlockC(192), // Mixed_6b..6e
        BlockD(),                                          // Mixed_7a: 8x8x1280
        BlockE(1280), BlockE(2048));                       // Mixed_7b, 7c

    /// <summary>Feature map side at an input side.</summary>
    public static int FeatureSize(int input)
    {
        var side = OutputSize(OutputSize(OutputSize(input, 3, 2), 3, 1), 3, 2); // 1a, 2a, pool (2b keeps the side)
        side = OutputSize(OutputSize(side, 3, 1), 3, 2);                         // 4a, pool (3b is 1x1)
        return OutputSize(OutputSize(side, 3, 2), 3, 2);                         // Mixed_6a, Mixed_7a
    }

    /// <summary>3x3 average pool (stride 1, padding counted as torchvision does) then 1x1 conv.</summary>
    private static Module<Tensor, Tensor> PoolBranch(int input, int output) =>
        Sequential(AvgPool2d(3, stride: 1, padding: 1), ConvBnRelu(input, output, 1));

    private static ConcatBranches BlockA(int input, int poolFeatures) => new(
        ConvBnRelu(input, 64, 1),
        Sequential(ConvBnRelu(input, 48, 1), ConvBnRelu(48, 64, 5, padding: 2)),
        Sequential(ConvBnRelu(input, 64, 1), ConvBnRelu(64, 96, 3, padding: 1), ConvBnRelu(96, 96, 3, padding: 1)),
        PoolBranch(input, poolFeatures));

    private static ConcatBranches BlockB(int input) => new(
        ConvBnRelu(input, 384, 3, stride: 2),
        Sequential(ConvBnRelu(input, 64, 1), ConvBnRelu(64, 96, 3, padding: 1), ConvBnRelu(96, 96, 3, stride: 2)),
        MaxPool2d(3, 2));

    /// <summary>Factorised 7x7 convolutions (1x7 and 7x1) with <paramref name="c7"/> inner channels.</summary>
    private static ConcatBranches BlockC(int c7) => new(
        ConvBnRelu(768, 192, 1),
        Sequential(ConvBnRelu(768, c7, 1), Row7(c7, c7), Column7(c7, 192)),
        Sequential(ConvBnRelu(768, c7, 1), Column7(c7, c7), Row7(c7, c7), Column7(c7, c7), Row7(c7, 192)),
        PoolBranch(768, 192));

    private static ConcatBranches BlockD() => new(
        Sequential(ConvBnRelu(768, 192, 1), ConvBnRelu(192, 320, 3, stride: 2)),
        Sequential(ConvBnRelu(768, 192, 1), Row7(192, 192), Column7(192, 192), ConvBnRelu(192, 192, 3, stride: 2)),
        MaxPool2d(3, 2));

    /// <summary>The expanded 8x8 block: 3x3 paths split into parallel 1x3 and 3x1 convolutions.</summary>
    private static ConcatBranches BlockE(int input) => new(
        ConvBnRelu(input, 320, 1),
        Sequential(ConvBnRelu(input, 384, 1), Split(384)),
        Sequential(ConvBnRelu(input, 448, 1), ConvBnRelu(448, 384, 3, padding: 1), Split(384)),
        PoolBranch(input, 192));

    private static ConcatBranches Split(int channels) => new(
        ConvBnRelu(channels, 384, 1, 3, padWidth: 1),
        ConvBnRelu(channels, 384, 3, 1, padHeight: 1));

    private static Module<Tensor, Tensor> Row7(int input, int output) => ConvBnRelu(input, output, 1, 7, padWidth: 3);

    private static Module<Tensor, Tensor> Column7(int input, int output) => ConvBnRelu(input, output, 7, 1, padHeight: 3);
}
