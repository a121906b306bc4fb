using EdgeAgent.Onnx.Graph;
using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Converts a model's forward pass to float16 for GPU providers (CUDA, TensorRT on Jetson) while graph inputs and
/// outputs stay float32: a Cast to float16 follows each float32 input where a converted node reads it, and a Cast
/// back to float32 precedes each output. Nodes that only feed the float outputs named in <c>floatOutputs</c> (the
/// Grad-CAM subgraph: gradients of a ReLU-LSTM head can exceed float16's range) stay float32 and read float32 casts of
/// the forward tensors. Only ops whose float inputs are all of the node's element type are converted.
/// </summary>
public static class Fp16Converter
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Float16 = (int)TensorProto.Types.DataType.Float16;

    private static readonly HashSet<string> ConvertibleOps =
    [
        "Conv", "ConvTranspose", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
        "Softmax", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "Reshape",
        "Transpose", "Flatten", "Squeeze", "Unsqueeze", "Concat", "Identity", "LSTM", "GRU", "RNN", "Split", "Slice", "Gather",
    ];

    public static ModelProto Convert(ModelProto model, IReadOnlySet<string> floatOutputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(floatOutputs);
        var copy = model.Clone();
        var graph = copy.Graph;
        var floats = FloatTensorInference.Infer(graph);
        var forward = QuantizationPlan.ForwardNodes(graph, floatOutputs);
        var converted = graph.Node.Where(n => forward.Contains(n) && n.Domain is "" or "ai.onnx" && ConvertibleOps.Contains(n.OpType)).ToHashSet(NodeIdentity.Instance);
        var initializers = graph.Initializer.Where(t => t.DataType == Float).ToDictionary(t => t.Name, StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var taken = graph.Node.SelectMany(n => n.Output).Concat(graph.Input.Select(i => i.Name)).Concat(graph.Initializer.Select(t => t.Name))
            .Concat(graph.Node.Select(n => n.Name)).ToHashSet(StringComparer.Ordinal);
        string Unique(string wanted)
        {
            var name = wanted;
            for (var i = 1; !taken.Add(name); i++)
            {
                name = $"{wanted}_{i}";
            }

            return name;
        }

        // Tensors produced in float16: float outputs of converted nodes, renamed so the float32 name can stay for readers outside.
        var half = new Dictionary<string, string>(StringComparer.Ordinal);
        var castsAfter = new Dictionary<NodeProto, List<NodeProto>>(NodeIdentity.Instance);
        var fp32Readers = graph.Node.Where(n => !converted.Contains(n)).SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        foreach (var node in converted)
        {
            for (var i = 0; i < node.Output.Count; i++)
            {
                var tensor = node.Output[i];
                if (tensor.Length == 0 || !floats.Contains(tensor))
                {
                    continue;
                }

                var renamed = Unique($"{tensor}_fp16");
                half[tensor] = renamed;
                node.Output[i] = renamed;
                if (fp32Readers.Contains(tensor) || graphOutputs.Contains(tensor))
                {
                    if (!castsAfter.TryGetValue(node, out var list))
                    {
                        castsAfter[node] = list = [];
                    }

                    list.Add(Cast(renamed, tensor, Float, Unique($"{tensor}_to_fp32")));
                }
            }
        }

        // Inputs of converted nodes: float16 tensors by their new name, float16 copies of weights, casts of other float32 tensors.
        var halfInitializers = new Dictionary<string, string>(StringComparer.Ordinal);
        var weightCasts = new List<NodeProto>();
        var castsBefore = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var sharedWeights = initializers.Keys.Where(fp32Readers.Contains).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Node.Where(converted.Contains))
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                var tensor = node.Input[i];
                if (tensor.Length == 0)
                {
                    continue;
                }

                if (half.TryGetValue(tensor, out var h))
                {
                    node.Input[i] = h;
                }
                else if (initializers.TryGetValue(tensor, out var weight))
                {
                    if (!halfInitializers.TryGetValue(tensor, out var halfName))
                    {
                        halfName = sharedWeights.Contains(tensor) ? Unique($"{tensor}_fp16") : tensor;
                        var values = OnnxTensors.ToFloats(weight);
                        var halves = new Half[values.Length];
                        for (var k = 0; k < values.Length; k++)
                        {
                            // Saturate instead of overflowing to infinity (float16 max is 65504).
                            halves[k] = (Half)Math.Clamp(values[k], -65504f, 65504f);
                        }

                        var halfTensor = OnnxTensors.FromHalves(halfName, halves, [.. weight.Dims]);
                        graph.Initializer.Remove(weight);
                        if (halfName != tensor)
                        {
                            // Float32 readers (the CAM subgraph) get a Cast of the float16 copy, which runtimes fold
                            // once at load: the file holds each weight once.
                            weightCasts.Add(Cast(halfName, tensor, Float, Unique($"{tensor}_to_fp32")));
                        }

                        graph.Initializer.Add(halfTensor);
                        halfInitializers[tensor] = halfName;
                    }

                    node.Input[i] = halfName;
                }
                else if (floats.Contains(tensor))
                {
                    if (!castsBefore.TryGetValue(tensor, out var cast))
                    {
                        cast = Cast(tensor, Unique($"{tensor}_fp16"), Float16, Unique($"{tensor}_to_fp16"));
                        castsBefore[tensor] = cast;
                    }

                    node.Input[i] = cast.Output[0];
                }
            }
        }

        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).Where(p => p.o.Length > 0)
            .GroupBy(p => p.o, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().n, StringComparer.Ordinal);
        var ordered = new List<NodeProto>(weightCasts);
        // Casts of graph inputs and initializers first; casts of node outputs right after their producer.
        ordered.AddRange(castsBefore.Where(p => !producers.ContainsKey(p.Key)).Select(p => p.Value));
        var castsOfOutputs = castsBefore.Where(p => producers.ContainsKey(p.Key)).GroupBy(p => producers[p.Key], NodeIdentity.Instance).ToDictionary(g => g.Key, g => g.Select(p => p.Value).ToList(), NodeIdentity.Instance);
        foreach (var node in graph.Node)
        {
            ordered.Add(node);
            if (castsAfter.TryGetValue(node, out var after))
            {
                ordered.AddRange(after);
            }

            if (castsOfOutputs.TryGetValue(node, out var more))
            {
                ordered.AddRange(more);
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(ordered);
        // Recorded intermediate types are float32 and now wrong for the converted tensors; runtimes re-infer them.
        graph.ValueInfo.Clear();
        GraphCleanup.RemoveUnusedInitializers(graph);
        return copy;
    }

    private static NodeProto Cast(string input, string output, int to, string name)
    {
        var node = new NodeProto { OpType = "Cast", Name = name };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = to });
        return node;
    }
}
