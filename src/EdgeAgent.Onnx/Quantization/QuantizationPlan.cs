using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Which tensors get a QuantizeLinear/DequantizeLinear pair and which nodes get int8 weights. Built by walking the
/// forward graph once in topological order.
/// </summary>
internal sealed class QuantizationPlan
{
    /// <summary>Ops with an int8 kernel in ONNX Runtime's CPU provider when wrapped in Q/DQ (QLinearConv, QGemm, QLinearMatMul).</summary>
    private static readonly HashSet<string> WeightedOps = ["Conv", "Gemm", "MatMul"];

    /// <summary>Ops with their own int8 kernels (QLinearAdd, QLinearConcat, QLinearAveragePool, QLinearGlobalAveragePool).</summary>
    private static readonly HashSet<string> ActivationOps = ["Add", "Concat", "AveragePool", "GlobalAveragePool"];

    /// <summary>Ops that move or select values without changing them: their output reuses the input's scale so ORT drops the Q/DQ around them.</summary>
    private static readonly HashSet<string> SameScaleOps = ["MaxPool", "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze"];

    /// <summary>Activation tensor -> the tensor whose calibrated range it uses (itself unless tied through a same-scale op).</summary>
    public Dictionary<string, string> Activations { get; } = new(StringComparer.Ordinal);

    /// <summary>Nodes whose weight (and bias) become int8 (int32) initializers behind DequantizeLinear.</summary>
    public List<NodeProto> WeightedNodes { get; } = [];

    /// <summary>Tensors that need their own calibrated range.</summary>
    public IEnumerable<string> CalibratedTensors => Activations.Where(p => p.Key == p.Value).Select(p => p.Key);

    public static QuantizationPlan Create(ModelProto model, QuantizationOptions options)
    {
        var graph = model.Graph;
        var plan = new QuantizationPlan();
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var forward = ForwardNodes(graph, options.FloatOutputs);
        var floats = FloatTensorInference.Infer(graph);
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }

        bool Eligible(NodeProto node) =>
            forward.Contains(node) && node.Domain is "" or "ai.onnx"
            && !options.ExcludedNodes.Contains(node.Name) && !options.ExcludedOpTypes.Contains(node.OpType);

        void Mark(string tensor)
        {
            if (tensor.Length > 0 && floats.Contains(tensor) && !initializers.Contains(tensor) && !graphOutputs.Contains(tensor))
            {
                plan.Activations[tensor] = tensor;
            }
        }

        // The tensor a node's output is quantized at: after a sole ReLU consumer when activations are uint8, because
        // ORT removes a ReLU followed by a uint8 Q with zero point 0 and then fuses Conv+Q (Add+Q) into one int8 kernel.
        string EffectiveOutput(NodeProto node)
        {
            var output = node.Output[0];
            if (options.Activations == ActivationType.UInt8 && !graphOutputs.Contains(output)
                && consumers.TryGetValue(output, out var readers) && readers.Count == 1
                && readers[0].OpType == "Relu" && Eligible(readers[0]))
            {
                return readers[0].Output[0];
            }

            return output;
        }

        foreach (var node in graph.Node.Where(Eligible))
        {
            if (WeightedOps.Contains(node.OpType) && node.Input.Count >= 2)
            {
                var weightIsConstant = initializers.Contains(node.Input[1]);
                if (node.OpType == "MatMul" && !weightIsConstant)
                {
                    Mark(node.Input[0]);
                    Mark(node.Input[1]);
                    Mark(EffectiveOutput(node));
                    continue;
                }

                if (!weightIsConstant || initializers.Contains(node.Input[0]) || !SupportedWeightedNode(node, graph))
                {
                    continue;
                }

                plan.WeightedNodes.Add(node);
                Mark(node.Input[0]);
                Mark(EffectiveOutput(node));
            }
            else if (ActivationOps.Contains(node.OpType) && node.Input.All(i => i.Length > 0 && !initializers.Contains(i)))
            {
                foreach (var input in node.Input)
                {
                    Mark(input);
                }

                // A residual Add followed by its ReLU is quantized after the ReLU (uint8): the pre-ReLU range would spend
                // half the levels on negatives the ReLU discards, and ORT fuses Add+ReLU+Q into one QLinearAdd.
                Mark(EffectiveOutput(node));
            }
        }

        // Same-scale ops inherit the range of their (already quantized) input, in topological order so chains propagate.
        foreach (var node in graph.Node.Where(n => SameScaleOps.Contains(n.OpType) && Eligible(n)))
        {
            if (node.Output.Count(o => o.Length > 0) == 1 && plan.Activations.TryGetValue(node.Input[0], out var root)
                && !graphOutputs.Contains(node.Output[0]))
            {
                plan.Activations[node.Output[0]] = root;
            }
        }

        return plan;
    }

    /// <summary>Gemm only in its plain form (no transposed A, alpha = beta = 1, 1-D bias); weights must be 2-D for MatMul/Gemm.</summary>
    private static bool SupportedWeightedNode(NodeProto node, GraphProto graph)
    {
        var weight = graph.Initializer.First(t => t.Name == node.Input[1]);
        if (weight.DataType != (int)TensorProto.Types.DataType.Float)
        {
            return false;
        }

        switch (node.OpType)
        {
            case "Conv":
                return weight.Dims.Count >= 3 && (node.Input.Count < 3 || node.Input[2].Length == 0 || IsFloatInitializer(graph, node.Input[2], 1));
            case "MatMul":
                return weight.Dims.Count == 2;
            case "Gemm":
                return weight.Dims.Count == 2 && Attr(node, "transA", 0) == 0 && Attr(node, "alpha", 1) == 1 && Attr(node, "beta", 1) == 1
                    && (node.Input.Count < 3 || node.Input[2].Length == 0 || IsFloatInitializer(graph, node.Input[2], 1));
            default:
                return false;
        }
    }

    private static float Attr(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? (a.Type == AttributeProto.Types.AttributeType.Int ? a.I : a.F) : fallback;

    private static bool IsFloatInitializer(GraphProto graph, string name, int rank) =>
        graph.Initializer.FirstOrDefault(t => t.Name == name) is { } t
        && t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == rank;

    /// <summary>Nodes some output outside <paramref name="floatOutputs"/> depends on: the classifier's forward pass.</summary>
    internal static HashSet<NodeProto> ForwardNodes(GraphProto graph, IReadOnlySet<string> floatOutputs)
    {
        var producer = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                producer[output] = node;
            }
        }

        var result = new HashSet<NodeProto>(NodeIdentity.Instance);
        var pending = new Stack<string>(graph.Output.Select(o => o.Name).Where(n => !floatOutputs.Contains(n)));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var tensor = pending.Pop();
            if (!seen.Add(tensor) || !producer.TryGetValue(tensor, out var node) || !result.Add(node))
            {
                continue;
            }

            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                pending.Push(input);
            }
        }

        return result;
    }
}
