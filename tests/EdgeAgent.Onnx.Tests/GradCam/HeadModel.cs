using Onnx;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>
/// The part of a model between a target tensor and a score: the target becomes the graph input, so finite
/// differences can perturb the feature map directly.
/// </summary>
internal static class HeadModel
{
    public static ModelProto Extract(ModelProto model, string target, long[] targetShape, string score)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        var producers = new Dictionary<string, NodeProto>();
        foreach (var n in graph.Node) foreach (var o in n.Output) producers[o] = n;
        var keep = new HashSet<NodeProto>();
        var stack = new Stack<string>([score]);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (t == target || !producers.TryGetValue(t, out var n) || !keep.Add(n)) continue;
            foreach (var i in n.Input.Where(i => i.Length > 0)) stack.Push(i);
        }
        var nodes = graph.Node.Where(keep.Contains).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        graph.Input.Clear();
        var shape = new TensorShapeProto();
        foreach (var d in targetShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        graph.Input.Add(new ValueInfoProto { Name = "X", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } });
        foreach (var n in graph.Node)
            for (int i = 0; i < n.Input.Count; i++)
                if (n.Input[i] == target) n.Input[i] = "X";
        graph.Output.Clear();
        graph.Output.Add(new ValueInfoProto { Name = score });
        if (score != "score")
        {
            graph.Node.Add(new NodeProto { OpType = "Identity", Input = { score }, Output = { "score" } });
            graph.Output[0] = new ValueInfoProto { Name = "score" };
        }
        return copy;
    }
}
