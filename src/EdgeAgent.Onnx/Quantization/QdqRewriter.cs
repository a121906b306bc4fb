using EdgeAgent.Onnx.Graph;
using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Rewrites a float graph into QDQ form following a <see cref="QuantizationPlan"/>: every planned activation t gets
/// t → QuantizeLinear → DequantizeLinear → t_dq right after its producer and every reader of t (quantized node,
/// float node, Grad-CAM node) reads t_dq instead, so the producer's only consumer is the Q node (what ORT's QDQ
/// fusion needs) and float readers see exactly what the int8 forward computes. Weights become int8 symmetric
/// initializers (per output channel or per tensor), biases int32 with scale s_x·s_w and zero point 0.
/// </summary>
internal sealed class QdqRewriter
{
    private readonly ModelProto model;
    private readonly QuantizationOptions options;
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> initializers;
    private readonly Dictionary<string, string> dequantizedWeights = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeProto, List<NodeProto>> insertBefore = new(NodeIdentity.Instance);
    private readonly HashSet<NodeProto> replaced = new(NodeIdentity.Instance);

    private QdqRewriter(ModelProto model, QuantizationOptions options)
    {
        this.model = model;
        this.options = options;
        initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var node in model.Graph.Node)
        {
            names.Add(node.Name);
            names.UnionWith(node.Output);
        }

        names.UnionWith(model.Graph.Input.Select(i => i.Name));
        names.UnionWith(initializers.Keys);
    }

    /// <summary>Map of each quantized activation to the dequantized tensor readers now use.</summary>
    public Dictionary<string, string> DequantizedActivations { get; } = new(StringComparer.Ordinal);

    public int QuantizedWeights { get; private set; }

    public static QdqRewriter Apply(
        ModelProto model, QuantizationPlan plan, IReadOnlyDictionary<string, QuantizationParameters> parameters, QuantizationOptions options)
    {
        var rewriter = new QdqRewriter(model, options);
        rewriter.Rewrite(plan, parameters);
        return rewriter;
    }

    private void Rewrite(QuantizationPlan plan, IReadOnlyDictionary<string, QuantizationParameters> parameters)
    {
        var graph = model.Graph;
        var prologue = new List<NodeProto>();
        var qdqAfter = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        var activationParams = plan.Activations
            .Where(p => parameters.ContainsKey(p.Value))
            .ToDictionary(p => p.Key, p => parameters[p.Value], StringComparer.Ordinal);

        // One scale / zero-point initializer pair per distinct root, shared by tied tensors.
        var shared = new Dictionary<string, (string Scale, string ZeroPoint)>(StringComparer.Ordinal);
        foreach (var (tensor, root) in plan.Activations)
        {
            if (!activationParams.TryGetValue(tensor, out var p))
            {
                continue;
            }

            if (!shared.TryGetValue(root, out var qp))
            {
                qp = (AddInitializer(OnnxTensors.FromFloats(Name($"{root}_scale"), [p.Scale])),
                      AddInitializer(p.Type == ActivationType.UInt8
                          ? OnnxTensors.FromUInt8s(Name($"{root}_zero_point"), [(byte)p.ZeroPoint])
                          : OnnxTensors.FromInt8s(Name($"{root}_zero_point"), [(sbyte)p.ZeroPoint])));
                shared[root] = qp;
            }

            var quantized = Name($"{tensor}_quantized");
            var dequantized = Name($"{tensor}_dequantized");
            var pair = new List<NodeProto>
            {
                Node("QuantizeLinear", [tensor, qp.Scale, qp.ZeroPoint], quantized, $"{tensor}_QuantizeLinear"),
                Node("DequantizeLinear", [quantized, qp.Scale, qp.ZeroPoint], dequantized, $"{tensor}_DequantizeLinear"),
            };
            DequantizedActivations[tensor] = dequantized;
            var producer = graph.Node.FirstOrDefault(n => n.Output.Contains(tensor));
            if (producer is null)
            {
                prologue.AddRange(pair);
            }
            else
            {
                if (!qdqAfter.TryGetValue(producer.Output[0], out var list))
                {
                    qdqAfter[producer.Output[0]] = list = [];
                }

                list.AddRange(pair);
            }
        }

        // Every original reader of t reads t_dq from now on (graph outputs keep t: they are never planned).
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (DequantizedActivations.TryGetValue(node.Input[i], out var dq))
                {
                    node.Input[i] = dq;
                }
            }
        }

        foreach (var node in plan.WeightedNodes)
        {
            if (!DequantizedActivations.ContainsKey(InputActivation(node)))
            {
                continue;
            }

            prologue.AddRange(QuantizeWeights(node, activationParams[InputActivation(node)]));
        }

        var rewritten = new List<NodeProto>(prologue);
        foreach (var node in graph.Node)
        {
            if (insertBefore.TryGetValue(node, out var replacement))
            {
                rewritten.AddRange(replacement);
                continue;
            }

            rewritten.Add(node);
            if (node.Output.Count > 0 && qdqAfter.TryGetValue(node.Output[0], out var pairs))
            {
                rewritten.AddRange(pairs);
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(rewritten);
        GraphCleanup.RemoveUnusedInitializers(graph);
    }

    /// <summary>The original name of a weighted node's activation input (its input 0 now reads the dequantized copy).</summary>
    private string InputActivation(NodeProto node) =>
        DequantizedActivations.FirstOrDefault(p => p.Value == node.Input[0]).Key ?? node.Input[0];

    private IEnumerable<NodeProto> QuantizeWeights(NodeProto node, QuantizationParameters input)
    {
        var weightName = node.Input[1];
        if (dequantizedWeights.TryGetValue(weightName, out var done))
        {
            node.Input[1] = done;
            yield break;
        }

        var weight = initializers[weightName];
        var values = OnnxTensors.ToFloats(weight);
        var dims = weight.Dims.ToArray();
        // Output-channel axis: Conv W[M, C, kh, kw] -> 0; Gemm B[N, K] with transB -> 0, B[K, N] -> 1; MatMul B[K, N] -> per tensor
        // (QLinearMatMul's per-column support varies by provider; Gemm covers the dense layers of the paper's head).
        var transB = node.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0;
        int? axis = !options.PerChannel || node.OpType == "MatMul" ? null : node.OpType == "Gemm" && transB == 0 ? 1 : 0;
        var channels = axis is { } a ? (int)dims[a] : 1;
        var scales = new float[channels];
        var inner = axis == 1 ? 1 : values.Length / channels;
        var stride = axis == 1 ? channels : 1;
        int Channel(int index) => axis switch { null => 0, 0 => index / inner, _ => index % stride };
        for (var i = 0; i < values.Length; i++)
        {
            var c = Channel(i);
            scales[c] = Math.Max(scales[c], Math.Abs(values[i]));
        }

        for (var c = 0; c < channels; c++)
        {
            // Symmetric [-127, 127]: keeps zero exact and avoids the asymmetric -128 that some int8 GEMMs saturate on.
            scales[c] = scales[c] > 0 ? scales[c] / 127f : 1f;
        }

        var q = new sbyte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            q[i] = (sbyte)Math.Clamp(Math.Round(values[i] / scales[Channel(i)]), -127, 127);
        }

        long[] scaleShape = axis is null ? [] : [channels];
        var weightScale = AddInitializer(OnnxTensors.FromFloats(Name($"{weightName}_scale"), scales, scaleShape));
        var weightZero = AddInitializer(OnnxTensors.FromInt8s(Name($"{weightName}_zero_point"), new sbyte[channels], scaleShape));
        var weightQ = AddInitializer(OnnxTensors.FromInt8s(Name($"{weightName}_quantized"), q, dims));
        var weightDq = Name($"{weightName}_dequantized");
        var dqWeight = Node("DequantizeLinear", [weightQ, weightScale, weightZero], weightDq, $"{weightName}_DequantizeLinear");
        if (axis is { } ax)
        {
            dqWeight.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = ax });
        }

        node.Input[1] = weightDq;
        dequantizedWeights[weightName] = weightDq;
        QuantizedWeights++;
        yield return dqWeight;

        // Float readers of the weight (the Grad-CAM subgraph differentiating through a dense layer) get
        // Cast(int8) · scale instead of a DequantizeLinear: ORT constant-folds Cast and Mul of initializers once at
        // session start, whereas it keeps DequantizeLinear nodes for QDQ fusion and would re-run them on every Run.
        if (options.DynamicCamProducts && dims.Length == 2 && axis is null or 0)
        {
            foreach (var reader in model.Graph.Node.Where(n => n.OpType == "MatMul" && n.Input.Count == 2 && n.Input[1] == weightName
                && n.Input[0] != weightName && !ReferenceEquals(n, node) && !replaced.Contains(n)).ToList())
            {
                insertBefore[reader] = DynamicProduct(reader, weightQ, scales, axis is not null, weightScale);
                replaced.Add(reader);
            }
        }

        if (model.Graph.Node.Any(n => !ReferenceEquals(n, node) && !replaced.Contains(n) && n.Input.Contains(weightName)))
        {
            var cast = Name($"{weightName}_int8_as_float");
            var castNode = Node("Cast", [weightQ], cast, $"{weightName}_Cast");
            castNode.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)TensorProto.Types.DataType.Float });
            var broadcast = new long[dims.Length];
            Array.Fill(broadcast, 1L);
            if (axis is { } channelAxis)
            {
                broadcast[channelAxis] = channels;
            }

            var scaleForFloat = AddInitializer(OnnxTensors.FromFloats(Name($"{weightName}_scale_broadcast"), scales, broadcast));
            var floatCopy = Name($"{weightName}_from_int8");
            RewireAll(weightName, floatCopy);
            yield return castNode;
            yield return Node("Mul", [cast, scaleForFloat], floatCopy, $"{weightName}_Mul");
        }

        if (node.Input.Count > 2 && node.Input[2].Length > 0 && initializers.TryGetValue(node.Input[2], out var biasTensor))
        {
            var bias = OnnxTensors.ToFloats(biasTensor);
            var biasScales = new float[bias.Length];
            var biasQ = new int[bias.Length];
            for (var c = 0; c < bias.Length; c++)
            {
                biasScales[c] = input.Scale * scales[axis is null ? 0 : c];
                biasQ[c] = (int)Math.Clamp(Math.Round(bias[c] / biasScales[c]), int.MinValue, int.MaxValue);
            }

            var biasName = biasTensor.Name;
            var perChannelBias = axis is not null;
            var biasScale = AddInitializer(OnnxTensors.FromFloats(Name($"{biasName}_scale"),
                perChannelBias ? biasScales : [biasScales[0]], perChannelBias ? [bias.Length] : []));
            var biasZero = AddInitializer(OnnxTensors.FromInt32s(Name($"{biasName}_zero_point"),
                new int[perChannelBias ? bias.Length : 1], perChannelBias ? [bias.Length] : []));
            var biasQName = AddInitializer(OnnxTensors.FromInt32s(Name($"{biasName}_quantized"), biasQ, bias.Length));
            var biasDq = Name($"{biasName}_dequantized");
            var dqBias = Node("DequantizeLinear", [biasQName, biasScale, biasZero], biasDq, $"{biasName}_DequantizeLinear");
            if (perChannelBias)
            {
                dqBias.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
            }

            // Only this node's bias: the int32 scale depends on this node's input scale.
            node.Input[2] = biasDq;
            yield return dqBias;
        }
    }

    /// <summary>
    /// Replaces a float MatMul(g, W) of the CAM subgraph (the backward product through a dense layer, W stored [N, K] and
    /// scaled per row N, the reduction axis) by dynamic quantization: g·diag(s) quantized per tensor to uint8 at run
    /// time, an integer product with the int8 W (MatMulInteger, u8×s8), then one float rescale. Exact up to the
    /// rounding of g·diag(s) to 8 bits; ORT fuses the chain into DynamicQuantizeMatMul.
    /// </summary>
    private List<NodeProto> DynamicProduct(NodeProto reader, string weightQ, float[] scales, bool perRow, string weightScale)
    {
        var nodes = new List<NodeProto>();
        var g = reader.Input[0];
        var output = reader.Output[0];
        var prefix = $"{reader.Name}_dynamic";
        if (perRow)
        {
            var rowScale = AddInitializer(OnnxTensors.FromFloats(Name($"{prefix}_row_scale"), scales, scales.Length));
            var scaled = Name($"{prefix}_scaled");
            nodes.Add(Node("Mul", [g, rowScale], scaled, $"{prefix}_Mul_rows"));
            g = scaled;
        }

        var gq = Name($"{prefix}_quantized");
        var gScale = Name($"{prefix}_scale");
        var gZero = Name($"{prefix}_zero_point");
        var quantize = new NodeProto { OpType = "DynamicQuantizeLinear", Name = Name($"{prefix}_DynamicQuantizeLinear") };
        quantize.Input.Add(g);
        quantize.Output.AddRange([gq, gScale, gZero]);
        nodes.Add(quantize);
        var accumulated = Name($"{prefix}_int32");
        nodes.Add(Node("MatMulInteger", [gq, weightQ, gZero], accumulated, $"{prefix}_MatMulInteger"));
        var asFloat = Name($"{prefix}_float");
        var cast = Node("Cast", [accumulated], asFloat, $"{prefix}_Cast");
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)TensorProto.Types.DataType.Float });
        nodes.Add(cast);
        if (perRow)
        {
            nodes.Add(Node("Mul", [asFloat, gScale], output, $"{prefix}_Mul_scale"));
        }
        else
        {
            var combined = Name($"{prefix}_combined_scale");
            nodes.Add(Node("Mul", [gScale, weightScale], combined, $"{prefix}_Mul_weight_scale"));
            nodes.Add(Node("Mul", [asFloat, combined], output, $"{prefix}_Mul_scale"));
        }

        return nodes;
    }

    private void RewireAll(string from, string to)
    {
        foreach (var node in model.Graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }
        }
    }

    private string AddInitializer(TensorProto tensor)
    {
        model.Graph.Initializer.Add(tensor);
        initializers[tensor.Name] = tensor;
        return tensor.Name;
    }

    private NodeProto Node(string op, string[] inputs, string output, string name)
    {
        var node = new NodeProto { OpType = op, Name = Name(name) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private string Name(string wanted)
    {
        var candidate = wanted;
        for (var i = 1; !names.Add(candidate); i++)
        {
            candidate = $"{wanted}_{i}";
        }

        return candidate;
    }
}
