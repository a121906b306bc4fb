using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// The gradient tensors appended to a graph and what the pass learned along the way. <see cref="Gradient"/>
/// ([K] + shape(target)) is null when only the channel sum was asked for and a <see cref="ChannelSumChain"/> gave
/// it directly; <see cref="ChannelSum"/> ([K, N, C]: the gradient summed over the target's spatial positions) is
/// null when not asked for or when no such chain exists.
/// </summary>
internal sealed record AppendedGradient(
    string? Gradient, string? ChannelSum, long Classes, GradientGraphEmitter Emitter, IReadOnlyDictionary<string, TensorFacts> Facts,
    IReadOnlyList<int> PathNodes, int Int8WeightCopies);

/// <summary>
/// Reverse-mode differentiation of an ONNX graph: appends ordinary ONNX nodes computing d(score_k)/d(target) for
/// every class k at once. The score seed is one one-hot row per class, so gradients carry a leading class axis K.
/// Only nodes on a path target -> score are differentiated; shape subgraphs hang off Shape/Size and so are
/// constants to this pass.
/// </summary>
internal static class ReverseModeDifferentiator
{
    public const string Prefix = MetadataKeys.NodePrefix;

    public static long DefaultOpset(ModelProto model) =>
        model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1;

    public static AppendedGradient Append(
        ModelProto model, GraphIndex index, string target, string score, IReadOnlyDictionary<string, long[]>? inputShapes,
        BackwardWeightStorage weights = BackwardWeightStorage.Float32, long int8MinElements = 1L << 22,
        GradientRequest request = GradientRequest.Full, FeatureLayout layout = FeatureLayout.Nchw)
    {
        var opset = DefaultOpset(model);
        if (opset < 13) throw new NotSupportedException($"The model uses opset {opset}; the gradient pass needs opset 13 or newer (re-export with a newer opset).");
        if (!index.Exists(target)) throw new ArgumentException($"Target tensor '{target}' does not exist in the graph.", nameof(target));
        if (!index.Exists(score)) throw new ArgumentException($"Score tensor '{score}' does not exist in the graph.", nameof(score));

        var active = ForwardActive(index, target);
        if (!active.Contains(score))
            throw new InvalidOperationException($"Score tensor '{score}' does not depend on target '{target}' through differentiable ops.");
        var reaching = BackwardReaching(index, score);
        var path = new List<int>();
        for (int i = 0; i < index.NodeCount; i++)
        {
            var node = index.Node(i);
            var hasActiveInput = OpGradientRules.DifferentiableInputs(node).Any(k => k < node.Input.Count && active.Contains(node.Input[k]));
            if (hasActiveInput && node.Output.Any(o => active.Contains(o) && reaching.Contains(o))) path.Add(i);
        }
        foreach (var i in path)
        {
            var node = index.Node(i);
            if ((node.Domain.Length > 0 && node.Domain != "ai.onnx") || !OpGradientRules.TryGet(node.OpType, out _))
                throw new UnsupportedOperatorException(GradientContext.NameOf(node), node.OpType, i, "no derivative rule for this op type");
        }

        var wanted = new List<string> { target, score };
        foreach (var i in path)
        {
            wanted.AddRange(index.Node(i).Input);
            wanted.AddRange(index.Node(i).Output);
        }
        var facts = ShapeProbe.Run(model, index, wanted, inputShapes);
        var scoreShape = facts[score].Shape;
        if (scoreShape.Length != 2) throw new InvalidOperationException($"Score tensor '{score}' must be [N, K]; it has shape [{string.Join(", ", scoreShape)}].");
        var classes = scoreShape[1];

        var emitter = new GradientGraphEmitter(model.Graph, opset, Prefix);
        var int8 = weights == BackwardWeightStorage.Float32
            ? null
            : new Int8BackwardProduct(emitter, index.Initializers, int8MinElements, withResidual: weights == BackwardWeightStorage.SplitInt8);
        var chain = request == GradientRequest.Full ? null : ChannelSumChain.Find(index, path.ToHashSet(), facts, target, score, layout);
        string? gradient = null, channelSum = null;
        if (chain is null || request == GradientRequest.FullAndChannelSum)
            gradient = ReversePass(index, path, new GradientContext(emitter, facts, active, classes, int8), score, target, shortcut: null);
        if (chain is not null)
        {
            var context = new GradientContext(emitter, facts, active, classes, int8) { TimeSummedNode = index.Node(chain[^1]) };
            channelSum = ReversePass(index, path, context, score, target, shortcut: chain);
        }
        return new AppendedGradient(gradient, channelSum, classes, emitter, facts, path, int8?.Copies ?? 0);
    }

    /// <summary>
    /// One reverse sweep over the path nodes, seeded with one one-hot row per class. With a
    /// <paramref name="shortcut"/> chain, its nodes are not differentiated: the chain's recurrent node (last)
    /// answers the sum over time of its input gradient, which is returned as the channel sum at the target.
    /// </summary>
    private static string ReversePass(GraphIndex index, List<int> path, GradientContext context, string score, string target, IReadOnlyList<int>? shortcut)
    {
        var emitter = context.E;
        var classes = context.Classes;
        var contributions = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var eye = new float[classes * classes];
        for (int k = 0; k < classes; k++) eye[k * classes + k] = 1f;
        var seed = emitter.Op("Expand", [emitter.ConstFloat(eye, [classes, 1, classes]), emitter.Shape(score)]);
        contributions[score] = [seed];
        var skipped = shortcut?.Take(shortcut.Count - 1).ToHashSet() ?? [];
        var terminal = shortcut?[^1];
        string? channelSum = null;

        for (int p = path.Count - 1; p >= 0; p--)
        {
            if (skipped.Contains(path[p])) continue;
            var node = index.Node(path[p]);
            var dOut = node.Output.Select(o => contributions.ContainsKey(o) ? Total(emitter, contributions, o) : null).ToArray();
            if (dOut.All(g => g is null)) continue;
            OpGradientRules.TryGet(node.OpType, out var rule);
            string?[] dIn;
            try
            {
                dIn = rule(context, node, dOut);
            }
            catch (GradientRuleException ex)
            {
                throw new UnsupportedOperatorException(GradientContext.NameOf(node), node.OpType, path[p], ex.Message);
            }
            if (path[p] == terminal)
            {
                channelSum = dIn[0];
                continue;
            }
            for (int k = 0; k < node.Input.Count && k < dIn.Length; k++)
            {
                var input = node.Input[k];
                if (dIn[k] is not { } g || !context.IsActive(input)) continue;
                if (!contributions.TryGetValue(input, out var list)) contributions[input] = list = [];
                list.Add(g);
            }
        }
        if (shortcut is not null) return channelSum ?? throw new InvalidOperationException($"No gradient reached target '{target}'.");
        if (!contributions.ContainsKey(target)) throw new InvalidOperationException($"No gradient reached target '{target}'.");
        return Total(emitter, contributions, target);
    }

    private static string Total(GradientGraphEmitter e, Dictionary<string, List<string>> contributions, string tensor)
    {
        var list = contributions[tensor];
        if (list.Count > 1)
        {
            var sum = e.Op("Sum", list);
            list.Clear();
            list.Add(sum);
        }
        return list[0];
    }

    /// <summary>Tensors that depend on the target through differentiable inputs (nodes are topologically sorted).</summary>
    internal static HashSet<string> ForwardActive(GraphIndex index, string target)
    {
        var active = new HashSet<string>(StringComparer.Ordinal) { target };
        for (int i = 0; i < index.NodeCount; i++)
        {
            var node = index.Node(i);
            if (!OpGradientRules.DifferentiableInputs(node).Any(k => k < node.Input.Count && active.Contains(node.Input[k]))) continue;
            for (int o = 0; o < node.Output.Count; o++)
                if (node.Output[o].Length > 0 && OpGradientRules.OutputCarriesGradient(node, o)) active.Add(node.Output[o]);
        }
        return active;
    }

    private static HashSet<string> BackwardReaching(GraphIndex index, string score)
    {
        var reaching = new HashSet<string>(StringComparer.Ordinal) { score };
        for (int i = index.NodeCount - 1; i >= 0; i--)
        {
            var node = index.Node(i);
            if (!node.Output.Any(reaching.Contains)) continue;
            foreach (var k in OpGradientRules.DifferentiableInputs(node))
                if (k < node.Input.Count && node.Input[k].Length > 0) reaching.Add(node.Input[k]);
        }
        return reaching;
    }
}
