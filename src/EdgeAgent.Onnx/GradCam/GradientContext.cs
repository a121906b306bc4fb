using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// What a derivative rule can see: the emitter for new nodes, probed facts about forward tensors, which tensors
/// carry gradient, and the number of classes K. Every gradient tensor has shape [K] + shape(forward tensor):
/// row k holds d(score_k summed over the batch)/d(tensor), so one backward pass yields every class.
/// </summary>
internal sealed class GradientContext(
    GradientGraphEmitter emitter, IReadOnlyDictionary<string, TensorFacts> facts, ISet<string> active, long classes, Int8BackwardProduct? int8Weights = null)
{
    public GradientGraphEmitter E { get; } = emitter;

    public long Classes { get; } = classes;

    /// <summary>Set when large dense-layer weights are read through int8 copies in the backward pass.</summary>
    public Int8BackwardProduct? Int8Weights { get; } = int8Weights;

    /// <summary>
    /// The recurrent node at the end of a <see cref="ChannelSumChain"/>: its rule returns sum_t dX_t, [K, N, I],
    /// instead of dX.
    /// </summary>
    public NodeProto? TimeSummedNode { get; init; }

    public bool IsActive(string tensor) => tensor.Length > 0 && active.Contains(tensor);

    public TensorFacts Facts(string tensor) =>
        facts.TryGetValue(tensor, out var f) ? f : throw new GradientRuleException($"no shape information for tensor '{tensor}'");

    public long[] Shape(string tensor) => Facts(tensor).Shape;

    public int Rank(string tensor) => Facts(tensor).Rank;

    public long[] IntValues(string tensor) =>
        Facts(tensor).IntValues ?? throw new GradientRuleException($"tensor '{tensor}' must be a small constant integer tensor");

    /// <summary>[K] + shape(x), computed at run time (so a dynamic batch stays dynamic).</summary>
    public string ShapeWithClassAxis(string x) => E.Concat(0, E.ConstInt64(Classes), E.Shape(x));

    /// <summary>Reshape a gradient to [K] + shape(x).</summary>
    public string ReshapeLike(string g, string x) => E.Reshape(g, ShapeWithClassAxis(x));

    /// <summary>Sum a gradient of a broadcast result back to the shape of the operand.</summary>
    public string Unbroadcast(string g, long[] xShape, long[] yShape)
    {
        var extra = yShape.Length - xShape.Length;
        var keep = new List<long>();
        for (int i = 0; i < xShape.Length; i++)
            if (xShape[i] == 1 && yShape[i + extra] != 1) keep.Add(1 + extra + i);
        var reduced = E.ReduceSum(g, keep.ToArray(), keepDims: true);
        var leading = Enumerable.Range(1, extra).Select(i => (long)i).ToArray();
        return E.ReduceSum(reduced, leading, keepDims: false);
    }

    public string Unbroadcast(string g, string x, string y) => Unbroadcast(g, Shape(x), Shape(y));

    /// <summary>Normalises a possibly negative axis of a tensor of rank r.</summary>
    public static long Axis(long axis, int rank) => axis < 0 ? axis + rank : axis;

    public static long[] SwapLastTwo(int rank)
    {
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[rank - 1], perm[rank - 2]) = (perm[rank - 2], perm[rank - 1]);
        return perm;
    }

    public static string NameOf(NodeProto node) => node.Name.Length > 0 ? node.Name : "(unnamed)";
}
