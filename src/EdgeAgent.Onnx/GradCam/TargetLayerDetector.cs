using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// Picks the score tensor (the logits, looking through Identity and a final Softmax) and the Grad-CAM target:
/// the last 4-D output of a Conv, activation or local pool on the path to the scores, with a spatial extent
/// larger than 1x1.
/// </summary>
internal static class TargetLayerDetector
{
    private static readonly HashSet<string> FeatureOps = new(StringComparer.Ordinal)
    {
        "Conv", "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Sigmoid", "Tanh", "Clip", "HardSigmoid", "HardSwish",
        "Softplus", "Mish", "Gelu", "MaxPool", "AveragePool", "LpPool",
    };

    private static readonly HashSet<string> LayoutNeutralOps = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Sigmoid", "Tanh", "Clip", "HardSigmoid", "HardSwish", "Softplus",
        "Mish", "Gelu", "Identity", "Add", "Mul", "Sub", "Div",
    };

    /// <summary>
    /// (score tensor, probabilities output or null): the first graph output, or the input of its Softmax; the
    /// probabilities are whichever graph output is Softmax(score), if any.
    /// </summary>
    public static (string Score, string? Probabilities) DetectScore(GraphIndex index)
    {
        if (index.Graph.Output.Count == 0) throw new InvalidOperationException("The model has no outputs.");
        var first = ThroughIdentity(index, index.Graph.Output[0].Name);
        var score = index.ProducerOf(first) is { } p && index.Node(p).OpType is "Softmax" or "LogSoftmax"
            ? ThroughIdentity(index, index.Node(p).Input[0])
            : first;
        return (score, ProbabilitiesOf(index, score));
    }

    /// <summary>The graph output computed as Softmax(score) (through Identity), or null.</summary>
    public static string? ProbabilitiesOf(GraphIndex index, string score)
    {
        foreach (var output in index.Graph.Output)
        {
            var t = ThroughIdentity(index, output.Name);
            if (index.ProducerOf(t) is { } p && index.Node(p).OpType == "Softmax" && ThroughIdentity(index, index.Node(p).Input[0]) == score)
                return output.Name;
        }
        return null;
    }

    private static string ThroughIdentity(GraphIndex index, string tensor)
    {
        while (index.ProducerOf(tensor) is { } p && index.Node(p).OpType == "Identity") tensor = index.Node(p).Input[0];
        return tensor;
    }

    public static string DetectTarget(ModelProto model, GraphIndex index, string score, IReadOnlyDictionary<string, long[]>? inputShapes)
    {
        var candidates = index.AncestorNodes([score])
            .Where(i => FeatureOps.Contains(index.Node(i).OpType))
            .OrderByDescending(i => i)
            .Select(i => index.Node(i).Output[0])
            .ToList();
        if (candidates.Count == 0) throw new InvalidOperationException("No Conv/activation/pool output leads to the scores; pass the target tensor explicitly.");
        // Probe in small batches from the end: the target is nearly always among the last few candidates.
        for (int start = 0; start < candidates.Count; start += 8)
        {
            var batch = candidates.Skip(start).Take(8).ToList();
            var facts = ShapeProbe.Run(model, index, batch, inputShapes);
            foreach (var name in batch)
            {
                var shape = facts[name].Shape;
                if (shape.Length == 4 && SpatialSize(index, name, shape) > 1) return name;
            }
        }
        throw new InvalidOperationException("No 4-D feature map with a spatial extent leads to the scores; pass the target tensor explicitly.");
    }

    private static long SpatialSize(GraphIndex index, string tensor, long[] shape) =>
        DetectLayout(index, tensor) == FeatureLayout.Nhwc ? shape[1] * shape[2] : shape[2] * shape[3];

    /// <summary>NHWC when the tensor comes (through layout-neutral ops) from Transpose(0,2,3,1), NCHW otherwise.</summary>
    public static FeatureLayout DetectLayout(GraphIndex index, string tensor)
    {
        var current = tensor;
        for (int guard = 0; guard < 64 && index.ProducerOf(current) is { } p; guard++)
        {
            var node = index.Node(p);
            if (node.OpType == "Transpose")
            {
                var perm = Attr.GetInts(node, "perm");
                return perm is [0, 2, 3, 1] ? FeatureLayout.Nhwc : FeatureLayout.Nchw;
            }
            if (!LayoutNeutralOps.Contains(node.OpType)) return FeatureLayout.Nchw;
            current = node.Input.FirstOrDefault(i => index.ProducerOf(i) is not null) ?? node.Input[0];
        }
        return FeatureLayout.Nchw;
    }
}
