using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Quantization;
using Onnx;

namespace EdgeAgent.Onnx.Tests.Quantization;

/// <summary>Small models and deterministic sample images for the quantization tests.</summary>
internal static class QuantizationFixtures
{
    /// <summary>Images in [0, 1) with smooth structure (a blob and a gradient) plus noise, like normalised X-ray crops.</summary>
    public static List<CalibrationSample> Images(int count, int channels, int size, int seed = 7)
    {
        var random = new Random(seed);
        var samples = new List<CalibrationSample>();
        for (var n = 0; n < count; n++)
        {
            var tensor = new float[channels * size * size];
            var cx = random.NextDouble() * size;
            var cy = random.NextDouble() * size;
            for (var c = 0; c < channels; c++)
            {
                for (var y = 0; y < size; y++)
                {
                    for (var x = 0; x < size; x++)
                    {
                        var blob = Math.Exp(-(((x - cx) * (x - cx)) + ((y - cy) * (y - cy))) / (size * 2.0));
                        var value = (0.5 * blob) + (0.3 * x / size) + (0.2 * random.NextDouble());
                        tensor[(((c * size) + y) * size) + x] = (float)Math.Min(value, 0.999);
                    }
                }
            }

            samples.Add(new CalibrationSample($"sample-{n}", tensor, n % 3));
        }

        return samples;
    }

    /// <summary>input [N,3,8,8] → Conv 3→4 3×3 → ReLU "act" → GlobalAveragePool → Flatten "pooled" (output).</summary>
    public static ModelProto ConvReluPool(out string weightName)
    {
        var graph = new GraphBuilder("conv-relu-pool");
        graph.AddFloatInput("input", TensorDim.Batch, 3, 8, 8);
        var layers = new LayerBuilder(graph, seed: 11);
        var conv = layers.Conv("input", 3, 4, 3);
        weightName = graph.Graph.Node[^1].Input[1];
        var act = layers.Relu(conv, "act");
        var pooled = layers.GlobalAveragePool(act);
        layers.Flatten(pooled, output: "pooled");
        graph.AddFloatOutput("pooled", TensorDim.Batch, 4);
        return graph.Build();
    }

    /// <summary>input [N,3,8,8] → Conv 3→6 (no BN folded yet) → BatchNormalization → ReLU "out".</summary>
    public static ModelProto ConvBatchNorm()
    {
        var graph = new GraphBuilder("conv-bn");
        graph.AddFloatInput("input", TensorDim.Batch, 3, 8, 8);
        var layers = new LayerBuilder(graph, seed: 5);
        var conv = layers.Conv("input", 3, 6, 3);
        var bn = layers.BatchNormalization(conv, 6);
        layers.Relu(bn, "out");
        graph.AddFloatOutput("out", TensorDim.Batch, 6, 8, 8);
        return graph.Build();
    }

    /// <summary>Two Conv+ReLU branches joined by Add and by Concat (the DenseNet / Inception joins) → GlobalAveragePool → "pooled".</summary>
    public static ModelProto Branches()
    {
        var graph = new GraphBuilder("branches");
        graph.AddFloatInput("input", TensorDim.Batch, 3, 8, 8);
        var layers = new LayerBuilder(graph, seed: 13);
        var a = layers.Relu(layers.Conv("input", 3, 4, 3));
        var b = layers.Relu(layers.Conv("input", 3, 4, 3));
        var sum = graph.AddNode("Add", [a, b]);
        var joined = graph.AddNode("Concat", [a, sum], NodeAttribute.Int("axis", 1));
        var pooled = layers.GlobalAveragePool(joined);
        layers.Flatten(pooled, output: "pooled");
        graph.AddFloatOutput("pooled", TensorDim.Batch, 8);
        return graph.Build();
    }

    /// <summary>A residual block: ReLU(Conv) → Conv, Add with the skip, ReLU "joined" → Conv → GlobalAveragePool → "pooled".</summary>
    public static ModelProto ResidualRelu()
    {
        var graph = new GraphBuilder("residual-relu");
        graph.AddFloatInput("input", TensorDim.Batch, 3, 8, 8);
        var layers = new LayerBuilder(graph, seed: 17);
        var skip = layers.Relu(layers.Conv("input", 3, 4, 3));
        var branch = layers.Conv(skip, 4, 4, 3);
        var sum = graph.AddNode("Add", [branch, skip]);
        var joined = layers.Relu(sum, "joined");
        var pooled = layers.GlobalAveragePool(layers.Relu(layers.Conv(joined, 4, 4, 3)));
        layers.Flatten(pooled, output: "pooled");
        graph.AddFloatOutput("pooled", TensorDim.Batch, 4);
        return graph.Build();
    }
}
