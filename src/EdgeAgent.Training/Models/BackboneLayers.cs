using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EdgeAgent.Training.Models;

/// <summary>Building blocks shared by the TorchSharp backbones.</summary>
internal static class BackboneLayers
{
    /// <summary>
    /// Convolution without bias, batch normalisation, ReLU: Inception's "BasicConv2d" (torchvision)
    /// and "conv2d_bn" (Keras), both with BN epsilon 1e-3.
    /// </summary>
    public static Module<Tensor, Tensor> ConvBnRelu(int input, int output, int kernelHeight, int kernelWidth, int stride = 1, int padHeight = 0, int padWidth = 0) =>
        Sequential(
            Conv2d(input, output, (kernelHeight, kernelWidth), stride: (stride, stride), padding: (padHeight, padWidth), bias: false),
            BatchNorm2d(output, eps: 1e-3),
            ReLU());

    /// <summary>Square kernel with symmetric padding.</summary>
    public static Module<Tensor, Tensor> ConvBnRelu(int input, int output, int kernel, int stride = 1, int padding = 0) =>
        ConvBnRelu(input, output, kernel, kernel, stride, padding, padding);

    /// <summary>Output side of a convolution or pooling window (floor mode, no dilation).</summary>
    public static int OutputSize(int size, int kernel, int stride, int padding = 0)
    {
        var result = ((size + (2 * padding) - kernel) / stride) + 1;
        if (size + (2 * padding) < kernel || result < 1)
        {
            throw new ArgumentException($"Input side {size} is too small for a {kernel}x{kernel} window with stride {stride} and padding {padding}; use a larger --input-size.");
        }

        return result;
    }
}
