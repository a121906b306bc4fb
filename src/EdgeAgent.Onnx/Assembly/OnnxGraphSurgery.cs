using Onnx;

namespace EdgeAgent.Onnx.Assembly;

/// <summary>Small, checked edits of an ONNX graph: cutting at a tensor and renaming tensors.</summary>
public static class OnnxGraphSurgery
{
    /// <summary>
    /// Keeps only the nodes and initializers needed to compute <paramref name="tensor"/> and makes it
    /// the single graph output (typed float, shape left to the caller).
    /// </summary>
    public static ModelProto CutAt(ModelProto model, string tensor)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(tensor);
        var graph = model.Graph;
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }
        }

        if (!producers.ContainsKey(tensor))
        {
            var near = string.Join(", ", graph.Node.Where(n => n.OpType is "Relu" or "Conv" or "Add" or "Concat")
                .TakeLast(5).Select(n => $"{n.Output[0]} ({n.OpType})"));
            throw new InvalidOperationException(
                $"Tensor '{tensor}' is not produced by any node of graph '{graph.Name}'. Last candidate feature maps: {near}.");
        }

        var needed = new HashSet<string>(StringComparer.Ordinal);
        var keptNodes = new HashSet<NodeProto>();
        var stack = new Stack<string>();
        stack.Push(tensor);
        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (name.Length == 0 || !needed.Add(name))
            {
                continue;
            }

            if (producers.TryGetValue(name, out var node) && keptNodes.Add(node))
            {
                foreach (var input in node.Input)
                {
                    stack.Push(input);
                }
            }
        }

        var cut = model.Clone();
        var cutGraph = cut.Graph;
        var nodes = cutGraph.Node.Where((_, i) => keptNodes.Contains(graph.Node[i])).ToList();
        cutGraph.Node.Clear();
        cutGraph.Node.AddRange(nodes);
        var initializers = cutGraph.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        cutGraph.Initializer.Clear();
        cutGraph.Initializer.AddRange(initializers);
        var inputs = cutGraph.Input.Where(i => needed.Contains(i.Name)).ToList();
        cutGraph.Input.Clear();
        cutGraph.Input.AddRange(inputs);
        var valueInfo = cutGraph.ValueInfo.Where(v => needed.Contains(v.Name)).ToList();
        cutGraph.ValueInfo.Clear();
        cutGraph.ValueInfo.AddRange(valueInfo);
        cutGraph.Output.Clear();
        cutGraph.Output.Add(FloatValueInfo(tensor, null));
        return cut;
    }

    /// <summary>Renames a tensor everywhere it appears (node inputs/outputs, graph inputs/outputs, initializers).</summary>
    public static void RenameTensor(GraphProto graph, string from, string to)
    {
        ArgumentNullException.ThrowIfNull(graph);
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }

            for (var i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i] == from)
                {
                    node.Output[i] = to;
                }
            }
        }

        foreach (var info in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            if (info.Name == from)
            {
                info.Name = to;
            }
        }

        foreach (var initializer in graph.Initializer)
        {
            if (initializer.Name == from)
            {
                initializer.Name = to;
            }
        }
    }

    /// <summary>A float tensor value info; a dimension below zero becomes the symbolic batch "N".</summary>
    public static ValueInfoProto FloatValueInfo(string name, IReadOnlyList<long>? shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        if (shape is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var dim in shape)
            {
                tensorType.Shape.Dim.Add(dim < 0
                    ? new TensorShapeProto.Types.Dimension { DimParam = "N" }
                    : new TensorShapeProto.Types.Dimension { DimValue = dim });
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
