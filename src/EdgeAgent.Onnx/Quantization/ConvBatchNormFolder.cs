using EdgeAgent.Onnx.Graph;
using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Folds inference-form BatchNormalization into the Conv before it:
/// W'[m] = W[m]·γ[m]/√(σ²[m]+ε), b'[m] = (b[m] − μ[m])·γ[m]/√(σ²[m]+ε) + β[m], computed in double and rounded once
/// to float32. Only a Conv whose output feeds that BatchNormalization alone (and is no graph output) is folded,
/// so no other reader loses the pre-normalisation tensor.
/// </summary>
public static class ConvBatchNormFolder
{
    /// <summary>Folds in place; returns the number of pairs folded.</summary>
    public static int Fold(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var folded = 0;
        var removed = new HashSet<NodeProto>(NodeIdentity.Instance);
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization" && n.Domain is "" or "ai.onnx").ToList())
        {
            if (bn.Output.Count(o => o.Length > 0) != 1 || bn.Input.Count < 5)
            {
                continue;
            }

            var conv = graph.Node.FirstOrDefault(n => n.Output.Contains(bn.Input[0]));
            if (conv is null || conv.OpType != "Conv" || removed.Contains(conv) || outputs.Contains(bn.Input[0])
                || graph.Node.Count(n => n.Input.Contains(bn.Input[0])) != 1
                || !initializers.TryGetValue(conv.Input[1], out var weight)
                || (conv.Input.Count > 2 && conv.Input[2].Length > 0 && !initializers.ContainsKey(conv.Input[2]))
                || !bn.Input.Skip(1).Take(4).All(initializers.ContainsKey))
            {
                continue;
            }

            var gamma = OnnxTensors.ToFloats(initializers[bn.Input[1]]);
            var beta = OnnxTensors.ToFloats(initializers[bn.Input[2]]);
            var mean = OnnxTensors.ToFloats(initializers[bn.Input[3]]);
            var variance = OnnxTensors.ToFloats(initializers[bn.Input[4]]);
            var epsilon = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            var w = OnnxTensors.ToFloats(weight);
            var channels = (int)weight.Dims[0];
            if (gamma.Length != channels || beta.Length != channels || mean.Length != channels || variance.Length != channels)
            {
                continue;
            }

            var hasBias = conv.Input.Count > 2 && conv.Input[2].Length > 0;
            var b = hasBias ? OnnxTensors.ToFloats(initializers[conv.Input[2]]) : new float[channels];
            var perChannel = w.Length / channels;
            var newW = new float[w.Length];
            var newB = new float[channels];
            for (var m = 0; m < channels; m++)
            {
                var factor = gamma[m] / Math.Sqrt((double)variance[m] + epsilon);
                for (var k = 0; k < perChannel; k++)
                {
                    newW[(m * perChannel) + k] = (float)(w[(m * perChannel) + k] * factor);
                }

                newB[m] = (float)(((b[m] - (double)mean[m]) * factor) + beta[m]);
            }

            // New initializer names: the originals may be shared with other nodes.
            var weightName = Unique(initializers, $"{conv.Input[1]}_bnfolded");
            var biasName = Unique(initializers, $"{(hasBias ? conv.Input[2] : conv.Input[1] + "_bias")}_bnfolded");
            var newWeight = OnnxTensors.FromFloats(weightName, newW, [.. weight.Dims]);
            var newBias = OnnxTensors.FromFloats(biasName, newB, channels);
            graph.Initializer.Add(newWeight);
            graph.Initializer.Add(newBias);
            initializers[weightName] = newWeight;
            initializers[biasName] = newBias;
            conv.Input[1] = weightName;
            if (hasBias)
            {
                conv.Input[2] = biasName;
            }
            else
            {
                while (conv.Input.Count < 2)
                {
                    conv.Input.Add(string.Empty);
                }

                conv.Input.Add(biasName);
            }

            conv.Output[0] = bn.Output[0];
            removed.Add(bn);
            folded++;
        }

        foreach (var node in removed)
        {
            graph.Node.Remove(node);
        }

        GraphCleanup.RemoveUnusedInitializers(graph);
        return folded;
    }

    private static string Unique(Dictionary<string, TensorProto> taken, string name)
    {
        var candidate = name;
        for (var i = 1; taken.ContainsKey(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }
}
