using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// ONNX Runtime's CPU kernels refuse LSTM/GRU/RNN with layout = 1 ("batchwise recurrent operations are not
/// supported"). To run such models at all (the shape probe, the prepared model), each layout-1 node is replaced by
/// the equivalent Transpose -> layout-0 op -> Transpose sequence. Differentiation still sees the layout-1 node,
/// so its derivative follows the spec; only the final graph is rewritten.
/// </summary>
internal static class BatchwiseRecurrentRewriter
{
    public static bool Needed(ModelProto model) =>
        model.Graph.Node.Any(n => n.OpType is "LSTM" or "GRU" or "RNN" && n.Attribute.Any(a => a.Name == "layout" && a.I != 0));

    public static ModelProto Apply(ModelProto model)
    {
        if (!Needed(model)) return model;
        var copy = model.Clone();
        var nodes = copy.Graph.Node.ToList();
        copy.Graph.Node.Clear();
        int counter = 0;
        foreach (var node in nodes)
        {
            var layout = node.Attribute.FirstOrDefault(a => a.Name == "layout");
            if (node.OpType is not ("LSTM" or "GRU" or "RNN") || layout is null || layout.I == 0)
            {
                copy.Graph.Node.Add(node);
                continue;
            }
            string Name(string hint) => $"{ReverseModeDifferentiator.Prefix}layout0_{counter++}_{hint}";
            NodeProto Transpose(string input, string output, params long[] perm)
            {
                var t = new NodeProto { OpType = "Transpose", Name = Name("transpose") };
                t.Input.Add(input);
                t.Output.Add(output);
                var a = new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints };
                a.Ints.AddRange(perm);
                t.Attribute.Add(a);
                return t;
            }
            var replacement = node.Clone();
            replacement.Attribute.Remove(replacement.Attribute.First(a => a.Name == "layout"));
            // inputs: X [N,T,I] -> [T,N,I]; initial states [N,D,H] -> [D,N,H]
            foreach (var i in new[] { 0, 5, 6 })
            {
                if (i >= node.Input.Count || node.Input[i].Length == 0) continue;
                var moved = Name("in");
                copy.Graph.Node.Add(Transpose(node.Input[i], moved, 1, 0, 2));
                replacement.Input[i] = moved;
            }
            var after = new List<NodeProto>();
            for (int o = 0; o < node.Output.Count; o++)
            {
                if (node.Output[o].Length == 0) continue;
                var raw = Name("out");
                replacement.Output[o] = raw;
                after.Add(o == 0 ? Transpose(raw, node.Output[o], 2, 0, 1, 3) : Transpose(raw, node.Output[o], 1, 0, 2));
            }
            copy.Graph.Node.Add(replacement);
            copy.Graph.Node.AddRange(after);
        }
        return copy;
    }
}
