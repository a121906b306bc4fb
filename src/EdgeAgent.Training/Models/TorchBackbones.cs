using EdgeAgent.Training.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EdgeAgent.Training.Models;

/// <summary>
/// Backbones written in TorchSharp (random initialisation; for end-to-end training, e.g. on a GPU).
/// Each returns its last convolutional feature map and its (C, H, W) at a given input size.
/// TorchVision for TorchSharp (a separate package) has Inception-v3 and DenseNet, but as private
/// block classes whose forward wiring the ONNX export cannot walk; these follow the published
/// layer sizes and are built from modules <see cref="Export.TorchOnnxWriter"/> can write.
/// </summary>
public static class TorchBackbones
{
    public static (Module<Tensor, Tensor> Module, int Channels, int Height, int Width) Create(string name, int inputSize) => name switch
    {
        // tiny: three stride-2 conv blocks, 64 px -> 8x8x32; fast enough for tests on a CPU.
        "tiny" => (Sequential(ConvBlock(3, 16, 2), ConvBlock(16, 32, 2), ConvBlock(32, 32, 2)), 32, inputSize / 8, inputSize / 8),
        "resnet18-torch" => (ResNet18(), 512, inputSize / 32, inputSize / 32),
        "vgg19" => (Vgg19(), 512, inputSize / 32, inputSize / 32),
        "densenet121" => Square(DenseNet121.Channels, DenseNet121.FeatureSize(inputSize), DenseNet121.Create),
        "inception_v3" => Square(InceptionV3.Channels, InceptionV3.FeatureSize(inputSize), InceptionV3.Create),
        "inception_resnet_v2" => Square(InceptionResNetV2.Channels, InceptionResNetV2.FeatureSize(inputSize), InceptionResNetV2.Create),
        _ => throw new ArgumentException($"Unknown TorchSharp backbone '{name}'; use tiny, resnet18-torch, vgg19, densenet121, inception_v3 or inception_resnet_v2."),
    };

    /// <summary>Checks the input size (the side) before building the network.</summary>
    private static (Module<Tensor, Tensor> Module, int Channels, int Height, int Width) Square(int channels, int side, Func<Module<Tensor, Tensor>> create) =>
        (create(), channels, side, side);

    private static Module<Tensor, Tensor> ConvBlock(int input, int output, int stride) =>
        Sequential(Conv2d(input, output, 3, stride: stride, padding: 1, bias: false), BatchNorm2d(output), ReLU());

    /// <summary>VGG19 features (16 conv 3x3 layers, 5 max-pools): 224 -> 7x7x512 as in Keras' include_top=False.</summary>
    private static Module<Tensor, Tensor> Vgg19()
    {
        int[][] stages = [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]];
        var layers = new List<Module<Tensor, Tensor>>();
        var channels = 3;
        foreach (var stage in stages)
        {
            foreach (var width in stage)
            {
                layers.Add(Conv2d(channels, width, 3, padding: 1));
                layers.Add(ReLU());
                channels = width;
            }

            layers.Add(MaxPool2d(2, 2));
        }

        return Sequential(layers);
    }

    /// <summary>ResNet18 up to the last residual stage (no pooling): 224 -> 7x7x512.</summary>
    private static Module<Tensor, Tensor> ResNet18()
    {
        var layers = new List<Module<Tensor, Tensor>>
        {
            Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false), BatchNorm2d(64), ReLU(), MaxPool2d(3, 2, 1),
        };
        var channels = 64;
        foreach (var (width, stride) in new[] { (64, 1), (128, 2), (256, 2), (512, 2) })
        {
            layers.Add(new BasicBlock(channels, width, stride));
            layers.Add(new BasicBlock(width, width, 1));
            channels = width;
        }

        return Sequential(layers);
    }

    private sealed class BasicBlock : Module<Tensor, Tensor>, IOnnxWritable
    {
#pragma warning disable IDE0044 // registered by reflection
        private Module<Tensor, Tensor> body;
        private Module<Tensor, Tensor>? shortcut;
#pragma warning restore IDE0044

        public BasicBlock(int input, int output, int stride) : base(nameof(BasicBlock))
        {
            body = Sequential(
                Conv2d(input, output, 3, stride: stride, padding: 1, bias: false), BatchNorm2d(output), ReLU(),
                Conv2d(output, output, 3, padding: 1, bias: false), BatchNorm2d(output));
            shortcut = stride != 1 || input != output
                ? Sequential(Conv2d(input, output, 1, stride: stride, bias: false), BatchNorm2d(output))
                : null;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var residual = body.forward(x);
            using var skip = shortcut is null ? x.alias() : shortcut.forward(x);
            return functional.relu(residual + skip);
        }

        public string WriteOnnx(TorchOnnxWriter writer, string input)
        {
            var residual = writer.Write(body, input);
            var skip = shortcut is null ? input : writer.Write(shortcut, input);
            return writer.Relu(writer.Add(residual, skip));
        }
    }
}
