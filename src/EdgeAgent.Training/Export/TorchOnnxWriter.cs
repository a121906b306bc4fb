using EdgeAgent.Onnx.Graph;
using EdgeAgent.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Export;

/// <summary>
/// Writes TorchSharp modules in inference form into an ONNX graph with their current weights:
/// Sequential, Conv2d, BatchNorm2d (ONNX BatchNormalization with the running statistics), ReLU,
/// MaxPool2d, AvgPool2d, Identity and Dropout (a no-op at inference); blocks with their own wiring
/// implement <see cref="IOnnxWritable"/>. Any other module stops the export naming its type.
/// </summary>
public sealed class TorchOnnxWriter
{
    private int layer;

    public TorchOnnxWriter(GraphBuilder graph) => Graph = graph;

    public GraphBuilder Graph { get; }

    /// <summary>Adds <paramref name="module"/>'s nodes reading <paramref name="input"/>; returns its output tensor.</summary>
    public string Write(nn.Module<Tensor, Tensor> module, string input)
    {
        ArgumentNullException.ThrowIfNull(module);
        switch (module)
        {
            case IOnnxWritable block:
                return block.WriteOnnx(this, input);
            case Sequential sequence:
                var x = input;
                foreach (var (_, child) in sequence.named_children())
                {
                    x = Write(child as nn.Module<Tensor, Tensor> ?? throw Unsupported(child), x);
                }

                return x;
            case Conv2d conv:
                return Conv(conv, input);
            case BatchNorm2d norm:
                return BatchNorm(norm, input);
            case ReLU:
                return Relu(input);
            case MaxPool2d pool:
                return MaxPool(pool, input);
            case AvgPool2d pool:
                return AveragePool(pool, input);
            case Identity or Dropout:
                return input;
            default:
                throw Unsupported(module);
        }
    }

    public string Relu(string x) => Graph.AddNode("Relu", [x]);

    public string Add(string a, string b) => Graph.AddNode("Add", [a, b]);

    public string Concat(IReadOnlyList<string> inputs) => Graph.AddNode("Concat", inputs, NodeAttribute.Int("axis", 1));

    /// <summary>x times a scalar constant.</summary>
    public string Scale(string x, float factor) => Graph.AddNode("Mul", [x, Graph.AddInitializer(Graph.UniqueName("scale"), [factor], [])]);

    private string Conv(Conv2d conv, string input)
    {
        if (conv.padding_type is not null || conv.padding_mode != PaddingModes.Zeros || conv.transposed)
        {
            throw new NotSupportedException($"Conv2d {conv.in_channels}->{conv.out_channels}: only explicit zero padding is exported (padding type {conv.padding_type}, mode {conv.padding_mode}).");
        }

        var id = ++layer;
        var weight = conv.weight!;
        var inputs = new List<string> { input, Graph.AddInitializer($"conv{id}_W", HeadOnnxExporter.Floats(weight), weight.shape) };
        if (conv.bias is { } bias)
        {
            inputs.Add(Graph.AddInitializer($"conv{id}_b", HeadOnnxExporter.Floats(bias), bias.shape));
        }

        var pad = conv.padding ?? [0, 0];
        return Graph.AddNode("Conv", inputs, [Graph.UniqueName($"conv{id}")], [
            NodeAttribute.Ints("kernel_shape", conv.kernel_size),
            NodeAttribute.Ints("strides", conv.stride),
            NodeAttribute.Ints("pads", pad[0], pad[1], pad[0], pad[1]),
            NodeAttribute.Ints("dilations", conv.dilation),
            NodeAttribute.Int("group", conv.groups),
        ])[0];
    }

    /// <summary>Inference batch norm: gamma * (x - running mean) / sqrt(running var + eps) + beta.</summary>
    private string BatchNorm(BatchNorm2d norm, string input)
    {
        var id = ++layer;
        var mean = HeadOnnxExporter.Floats(norm.running_mean ?? throw new NotSupportedException($"BatchNorm2d without running statistics (layer {id}) has no inference form."));
        var variance = HeadOnnxExporter.Floats(norm.running_var!);
        var gamma = norm.weight is { } w ? HeadOnnxExporter.Floats(w) : Enumerable.Repeat(1f, mean.Length).ToArray();
        var beta = norm.bias is { } b ? HeadOnnxExporter.Floats(b) : new float[mean.Length];
        var n = mean.Length;
        return Graph.AddNode("BatchNormalization", [
                input,
                Graph.AddInitializer($"bn{id}_scale", gamma, n),
                Graph.AddInitializer($"bn{id}_bias", beta, n),
                Graph.AddInitializer($"bn{id}_mean", mean, n),
                Graph.AddInitializer($"bn{id}_var", variance, n),
            ],
            [Graph.UniqueName($"bn{id}")],
            [NodeAttribute.Float("epsilon", (float)norm.eps)])[0];
    }

    private string MaxPool(MaxPool2d pool, string input)
    {
        if (pool.dilation is { } dilation && dilation.Any(d => d != 1))
        {
            throw new NotSupportedException("MaxPool2d with dilation is not exported.");
        }

        var pad = pool.padding ?? [0, 0];
        return Graph.AddNode("MaxPool", [input], [
            NodeAttribute.Ints("kernel_shape", pool.kernel_size),
            NodeAttribute.Ints("strides", pool.stride ?? pool.kernel_size),
            NodeAttribute.Ints("pads", pad[0], pad[1], pad[0], pad[1]),
            NodeAttribute.Int("ceil_mode", pool.ceil_mode ? 1 : 0),
        ]);
    }

    private string AveragePool(AvgPool2d pool, string input)
    {
        if (pool.divisor_override is not null)
        {
            throw new NotSupportedException("AvgPool2d with a divisor override is not exported.");
        }

        var pad = pool.padding ?? [0, 0];
        return Graph.AddNode("AveragePool", [input], [
            NodeAttribute.Ints("kernel_shape", pool.kernel_size),
            NodeAttribute.Ints("strides", pool.stride ?? pool.kernel_size),
            NodeAttribute.Ints("pads", pad[0], pad[1], pad[0], pad[1]),
            NodeAttribute.Int("ceil_mode", pool.ceil_mode ? 1 : 0),
            NodeAttribute.Int("count_include_pad", pool.count_include_pad ? 1 : 0),
        ]);
    }

    private static NotSupportedException Unsupported(object module) =>
        new($"TorchSharp module {module.GetType().Name} has no ONNX export; export writes Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, AvgPool2d, Identity, Dropout and {nameof(IOnnxWritable)} blocks.");
}
