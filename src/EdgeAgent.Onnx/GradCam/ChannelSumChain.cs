using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// Grad-CAM needs the gradient at the target A only through alpha = mean over H, W of dScore/dA, i.e. through the
/// sum of the gradient over the spatial positions of each (sample, channel). When A reaches a recurrent layer's
/// input X only through ops that move elements without mixing channels or samples (MaxPool, which sends each
/// output's gradient to one input position of the same channel; Reshape/Flatten/Squeeze/Unsqueeze that merge or
/// split spatial axes only; Transpose; Identity), that sum equals the sum over time of dX, and sum_t dX_t =
/// (sum_t dz_t) W: the recurrent rule can skip the product of every step with W and the gradient never has to be
/// routed back through the pools and reshapes. Exact in real arithmetic; only the float32 summation order changes.
/// This class finds such a chain; any other op between A and the recurrent layer means no shortcut.
/// </summary>
internal static class ChannelSumChain
{
    /// <summary>What an axis of a tensor on the chain holds: the batch, the target's channels, or spatial positions.</summary>
    private enum Role { Batch, Channel, Spatial }

    /// <summary>
    /// The chain from <paramref name="target"/> to a recurrent node's X: the node indices of the chain (the
    /// recurrent node last), or null when the target is not connected to one that way.
    /// </summary>
    public static IReadOnlyList<int>? Find(
        GraphIndex index, ISet<int> pathNodes, IReadOnlyDictionary<string, TensorFacts> facts, string target, string score, FeatureLayout layout)
    {
        if (!facts.TryGetValue(target, out var targetFacts) || targetFacts.Rank != 4) return null;
        Role[] roles = layout == FeatureLayout.Nhwc
            ? [Role.Batch, Role.Spatial, Role.Spatial, Role.Channel]
            : [Role.Batch, Role.Channel, Role.Spatial, Role.Spatial];
        var chain = new List<int>();
        var tensor = target;
        while (true)
        {
            if (tensor == score) return null;
            var consumers = index.ConsumersOf(tensor).Where(pathNodes.Contains).Distinct().ToList();
            if (consumers.Count != 1) return null;
            var node = index.Node(consumers[0]);
            // the tensor must enter the node once, as its first input (data, never a shape or an index)
            if (node.Input.Count(i => i == tensor) != 1 || node.Input[0] != tensor) return null;
            chain.Add(consumers[0]);
            if (node.OpType is "LSTM" or "GRU" or "RNN")
            {
                Role[] expected = Attr.GetInt(node, "layout", 0) == 0
                    ? [Role.Spatial, Role.Batch, Role.Channel]
                    : [Role.Batch, Role.Spatial, Role.Channel];
                return roles.SequenceEqual(expected) ? chain : null;
            }
            var output = node.Output.Count > 0 ? node.Output[0] : "";
            if (output.Length == 0 || !facts.TryGetValue(output, out var outFacts) || !facts.TryGetValue(tensor, out var inFacts)) return null;
            var next = node.OpType switch
            {
                "Identity" or "Dropout" => roles,
                "MaxPool" => roles.SequenceEqual([Role.Batch, Role.Channel, Role.Spatial, Role.Spatial]) ? roles : null,
                "Transpose" => Permute(roles, Attr.GetInts(node, "perm")),
                "Reshape" or "Flatten" or "Squeeze" or "Unsqueeze" => Reshaped(roles, inFacts.Shape, outFacts.Shape),
                _ => null,
            };
            if (next is null) return null;
            roles = next;
            tensor = output;
        }
    }

    private static Role[]? Permute(Role[] roles, long[]? perm)
    {
        perm ??= Enumerable.Range(0, roles.Length).Reverse().Select(i => (long)i).ToArray();
        return perm.Length == roles.Length ? perm.Select(p => roles[p]).ToArray() : null;
    }

    /// <summary>
    /// A reshape keeps every batch and channel element in place when the input is [prefix, spatial block, suffix]
    /// and the output is [the same prefix, one block of the same size, the same suffix], prefix and suffix
    /// holding no spatial axis: row-major order then maps (prefix, s, suffix) to (prefix, s, suffix).
    /// </summary>
    private static Role[]? Reshaped(Role[] roles, long[] input, long[] output)
    {
        var first = Array.IndexOf(roles, Role.Spatial);
        var last = Array.LastIndexOf(roles, Role.Spatial);
        if (first < 0) return null;
        for (int i = first; i <= last; i++)
            if (roles[i] != Role.Spatial) return null;
        var suffix = roles.Length - 1 - last;
        if (output.Length < first + suffix + 1) return null;
        for (int i = 0; i < first; i++)
            if (output[i] != input[i]) return null;
        for (int i = 0; i < suffix; i++)
            if (output[^(i + 1)] != input[^(i + 1)]) return null;
        var size = input[first..(last + 1)].Aggregate(1L, (a, b) => a * b);
        var outSize = output[first..^suffix].Aggregate(1L, (a, b) => a * b);
        if (size != outSize) return null;
        var result = new Role[output.Length];
        for (int i = 0; i < output.Length; i++)
            result[i] = i < first ? roles[i] : i >= output.Length - suffix ? roles[i - output.Length + roles.Length] : Role.Spatial;
        return result;
    }
}
