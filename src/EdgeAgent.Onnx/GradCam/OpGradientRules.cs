using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// Derivative rules, one per ONNX op: given the gradients of a node's outputs (null where an output carries none),
/// emit the gradients of its inputs (null where not needed). Gradients carry a leading class axis K, so every
/// forward axis a becomes a + 1 in the gradient; negative axes stay valid unchanged.
/// </summary>
internal static class OpGradientRules
{
    internal delegate string?[] Rule(GradientContext c, NodeProto n, string?[] dOut);

    private static readonly Dictionary<string, Rule> Rules = new(StringComparer.Ordinal)
    {
        ["Identity"] = (c, n, d) => [d[0]],
        ["Dropout"] = (c, n, d) => [d[0]],
        ["Cast"] = (c, n, d) => [d[0]],
        ["Reshape"] = Reshaping,
        ["Flatten"] = Reshaping,
        ["Squeeze"] = Reshaping,
        ["Unsqueeze"] = Reshaping,
        ["Transpose"] = Transpose,
        ["Gather"] = Gather,
        ["Slice"] = Slice,
        ["Split"] = Split,
        ["Concat"] = Concat,
        ["Expand"] = (c, n, d) => [c.Unbroadcast(d[0]!, n.Input[0], n.Output[0])],
        ["Add"] = (c, n, d) => Binary(c, n, d[0]!, g => g, g => g),
        ["Sub"] = (c, n, d) => Binary(c, n, d[0]!, g => g, g => c.E.Neg(g)),
        ["Mul"] = (c, n, d) => Binary(c, n, d[0]!, g => c.E.Mul(g, n.Input[1]), g => c.E.Mul(g, n.Input[0])),
        ["Div"] = (c, n, d) => Binary(c, n, d[0]!,
            g => c.E.Div(g, n.Input[1]),
            g => c.E.Neg(c.E.Div(c.E.Mul(g, n.Output[0]), n.Input[1]))),
        ["Sum"] = (c, n, d) => n.Input.Select(x => c.IsActive(x) ? c.Unbroadcast(d[0]!, x, n.Output[0]) : null).ToArray(),
        ["Neg"] = (c, n, d) => [c.E.Neg(d[0]!)],
        ["MatMul"] = MatMul,
        ["Gemm"] = Gemm,
        ["Relu"] = (c, n, d) => [c.E.Op("Where", [Positive(c, n.Input[0]), d[0]!, c.E.ScalarFloat(0f)])],
        ["LeakyRelu"] = (c, n, d) =>
        {
            var alpha = Attr.GetFloat(n, "alpha", 0.01f);
            var slope = c.E.Op("Where", [Positive(c, n.Input[0]), c.E.ScalarFloat(1f), c.E.ScalarFloat(alpha)]);
            return [c.E.Mul(d[0]!, slope)];
        },
        ["Sigmoid"] = (c, n, d) => [c.E.Mul(d[0]!, c.E.Mul(n.Output[0], c.E.OneMinus(n.Output[0])))],
        ["Tanh"] = (c, n, d) => [c.E.Mul(d[0]!, c.E.OneMinus(c.E.Mul(n.Output[0], n.Output[0])))],
        ["Softmax"] = Softmax,
        ["LogSoftmax"] = LogSoftmax,
        ["BatchNormalization"] = BatchNormalization,
        ["GlobalAveragePool"] = GlobalAveragePool,
        ["AveragePool"] = AveragePool,
        ["MaxPool"] = MaxPool,
        ["ReduceMean"] = (c, n, d) => Reduce(c, n, d[0]!, mean: true),
        ["ReduceSum"] = (c, n, d) => Reduce(c, n, d[0]!, mean: false),
        ["LSTM"] = RecurrentGradients.Lstm,
        ["GRU"] = RecurrentGradients.Gru,
        ["RNN"] = RecurrentGradients.Rnn,
    };

    /// <summary>Ops whose outputs never carry gradient (integer results, comparisons, piecewise-constant maps).</summary>
    private static readonly HashSet<string> Cuts = new(StringComparer.Ordinal)
    {
        "Shape", "Size", "NonZero", "ArgMax", "ArgMin", "ConstantOfShape", "EyeLike", "RandomNormalLike",
        "RandomUniformLike", "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "Not", "And", "Or",
        "Xor", "IsNaN", "IsInf", "Sign", "Floor", "Ceil", "Round", "OneHot", "Range",
    };

    public static IReadOnlyCollection<string> SupportedOps => Rules.Keys;

    public static bool TryGet(string opType, out Rule rule) => Rules.TryGetValue(opType, out rule!);

    /// <summary>Input positions through which gradient can flow; the others (shapes, indices, statistics) are constants.</summary>
    public static IEnumerable<int> DifferentiableInputs(NodeProto n)
    {
        if (n.Domain.Length > 0 && n.Domain != "ai.onnx") return Enumerable.Range(0, n.Input.Count);
        if (Cuts.Contains(n.OpType)) return [];
        return n.OpType switch
        {
            "Reshape" or "Expand" or "Slice" or "Gather" or "Squeeze" or "Unsqueeze" or "Split" or "Tile" or "Pad"
                or "Dropout" or "ReduceMean" or "ReduceSum" or "Resize" or "Upsample" or "Clip" or "TopK" => [0],
            "BatchNormalization" => [0, 1, 2, 3, 4],
            "LSTM" => [0, 1, 2, 3, 5, 6, 7],
            "GRU" or "RNN" => [0, 1, 2, 3, 5],
            "Where" => [1, 2],
            _ => Enumerable.Range(0, n.Input.Count),
        };
    }

    /// <summary>Output positions that carry gradient when an input does.</summary>
    public static bool OutputCarriesGradient(NodeProto n, int outputIndex)
    {
        if (Cuts.Contains(n.OpType)) return false;
        return n.OpType switch
        {
            "Dropout" or "MaxPool" or "TopK" => outputIndex == 0,
            "Cast" => Attr.GetInt(n, "to", 1) is 1 or 10 or 11 or 16,
            _ => true,
        };
    }

    private static string Positive(GradientContext c, string x) => c.E.Op("Greater", [x, c.E.ScalarFloat(0f)]);

    private static string?[] Binary(GradientContext c, NodeProto n, string g, Func<string, string> left, Func<string, string> right) =>
    [
        c.IsActive(n.Input[0]) ? c.Unbroadcast(left(g), n.Input[0], n.Output[0]) : null,
        c.IsActive(n.Input[1]) ? c.Unbroadcast(right(g), n.Input[1], n.Output[0]) : null,
    ];

    private static string?[] Reshaping(GradientContext c, NodeProto n, string?[] d) => [c.ReshapeLike(d[0]!, n.Input[0])];

    private static string?[] Transpose(GradientContext c, NodeProto n, string?[] d)
    {
        var rank = c.Rank(n.Input[0]);
        var perm = Attr.GetInts(n, "perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        var inverse = new long[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        return [c.E.Transpose(d[0]!, [0, .. inverse.Select(a => a + 1)])];
    }

    // Gather backward as a product with a one-hot matrix: duplicate and negative indices are handled by OneHot,
    // and no scatter (with its opset-dependent reduction modes) is needed.
    private static string?[] Gather(GradientContext c, NodeProto n, string?[] d)
    {
        var x = n.Input[0];
        var indices = n.Input[1];
        var xShape = c.Shape(x);
        var rank = xShape.Length;
        var axis = GradientContext.Axis(Attr.GetInt(n, "axis", 0), rank);
        var qRank = c.Rank(indices);
        var q = c.Facts(indices).ElementCount;
        var g = d[0]!;
        // g: [K, x[:axis], q..., x[axis+1:]] -> [K, x[:axis], Q, x[axis+1:]], with run-time dims so a batch stays dynamic
        if (qRank == 0) g = c.E.Unsqueeze(g, 1 + axis);
        else if (qRank > 1)
        {
            var shape = c.E.Concat(0,
                c.E.Slice(c.E.Shape(g), 0, 0, 1 + axis),
                c.E.ConstInt64(q),
                c.E.Slice(c.E.Shape(x), 0, axis + 1, rank));
            g = c.E.Reshape(g, shape);
        }
        // move Q (position 1 + axis) to the end, multiply by one-hot [Q, D], move D back.
        var r = rank + 1;
        var toEnd = Enumerable.Range(0, r).Where(i => i != 1 + axis).Append((int)(1 + axis)).Select(i => (long)i).ToArray();
        var back = new long[r];
        for (int i = 0; i < r; i++) back[toEnd[i]] = i;
        var depth = c.E.Op("Gather", [c.E.Shape(x), c.E.ConstInt64(axis)], Attr.Int("axis", 0));
        var flatIndices = c.E.Reshape(c.E.Op("Cast", [indices], Attr.Int("to", 7)), -1);
        var oneHot = c.E.Op("OneHot", [flatIndices, depth, c.E.ConstFloat([0f, 1f], [2])], Attr.Int("axis", -1));
        var moved = c.E.MatMul(c.E.Transpose(g, toEnd), oneHot);
        return [c.E.Transpose(moved, back)];
    }

    private static string?[] Slice(GradientContext c, NodeProto n, string?[] d)
    {
        var x = n.Input[0];
        var xShape = c.Shape(x);
        var rank = xShape.Length;
        var starts = c.IntValues(n.Input[1]);
        var ends = c.IntValues(n.Input[2]);
        var axes = n.Input.Count > 3 && n.Input[3].Length > 0 ? c.IntValues(n.Input[3]) : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = n.Input.Count > 4 && n.Input[4].Length > 0 ? c.IntValues(n.Input[4]) : Enumerable.Repeat(1L, starts.Length).ToArray();
        var pads = new long[2 * (rank + 1)];
        for (int i = 0; i < axes.Length; i++)
        {
            if (steps[i] != 1) throw new GradientRuleException($"Slice with step {steps[i]} is not supported (only step 1)");
            var a = (int)GradientContext.Axis(axes[i], rank);
            var dim = xShape[a];
            var s = Math.Clamp(starts[i] < 0 ? starts[i] + dim : starts[i], 0, dim);
            var e = Math.Clamp(ends[i] < 0 ? ends[i] + dim : ends[i], 0, dim);
            pads[a + 1] = s;
            pads[rank + 1 + a + 1] = dim - Math.Max(e, s);
        }
        return [c.E.Op("Pad", [d[0]!, c.E.ConstInt64(pads)])];
    }

    private static string?[] Split(GradientContext c, NodeProto n, string?[] d)
    {
        var rank = c.Rank(n.Input[0]);
        var axis = GradientContext.Axis(Attr.GetInt(n, "axis", 0), rank);
        var parts = new string[n.Output.Count];
        for (int i = 0; i < parts.Length; i++)
            parts[i] = d[i] ?? c.E.ZerosOfShape(c.ShapeWithClassAxis(n.Output[i]));
        return [c.E.Concat(axis + 1, parts)];
    }

    private static string?[] Concat(GradientContext c, NodeProto n, string?[] d)
    {
        var rank = c.Rank(n.Output[0]);
        var axis = GradientContext.Axis(Attr.GetInt(n, "axis", 0), rank);
        var sizes = n.Input.Select(x => c.Shape(x)[axis]).ToArray();
        var parts = c.E.Split(d[0]!, axis + 1, sizes);
        return n.Input.Select((x, i) => c.IsActive(x) ? parts[i] : null).ToArray();
    }

    private static string?[] MatMul(GradientContext c, NodeProto n, string?[] d)
    {
        var (a, b, y) = (n.Input[0], n.Input[1], n.Output[0]);
        var (aShape, bShape, yShape) = (c.Shape(a), c.Shape(b), c.Shape(y));
        if (aShape.Length < 2 || bShape.Length < 2) throw new GradientRuleException("MatMul with a 1-D operand is not supported");
        var g = d[0]!;
        string? da = null, db = null;
        if (c.IsActive(a))
        {
            string raw;
            if (bShape.Length == 2)
            {
                // A weight matrix (Linear exported as MatMul): one 2-D Gemm with transB instead of a batched MatMul
                // against a transposed copy (or the int8 split product when asked for and the weight is large).
                var g2 = c.E.Reshape(g, -1, bShape[1]);
                var flat = c.Int8Weights?.TryEmit(g2, b, transposed: true, alpha: 1f)
                    ?? c.E.Op("Gemm", [g2, b], Attr.Int("transB", 1));
                var shape = c.E.Concat(0, c.E.Slice(c.E.Shape(g), 0, 0, -1), c.E.ConstInt64(bShape[0]));
                raw = c.E.Reshape(flat, shape);
            }
            else
            {
                raw = c.E.MatMul(g, c.E.Transpose(b, GradientContext.SwapLastTwo(bShape.Length)));
            }
            da = c.Unbroadcast(raw, aShape, [.. yShape[..^2], aShape[^2], aShape[^1]]);
        }
        if (c.IsActive(b))
        {
            var raw = c.E.MatMul(c.E.Transpose(a, GradientContext.SwapLastTwo(aShape.Length)), g);
            db = c.Unbroadcast(raw, bShape, [.. yShape[..^2], bShape[^2], bShape[^1]]);
        }
        return [da, db];
    }

    private static string?[] Gemm(GradientContext c, NodeProto n, string?[] d)
    {
        var (a, b) = (n.Input[0], n.Input[1]);
        var alpha = Attr.GetFloat(n, "alpha", 1f);
        var beta = Attr.GetFloat(n, "beta", 1f);
        var transA = Attr.GetInt(n, "transA", 0) != 0;
        var transB = Attr.GetInt(n, "transB", 0) != 0;
        var g = d[0]!;
        var scaled = alpha == 1f ? g : c.E.Mul(g, c.E.ScalarFloat(alpha));
        var result = new string?[n.Input.Count];
        if (c.IsActive(a))
        {
            // dA' = alpha g B'^T as one 2-D Gemm over all K classes: the weight is read once, and its transpose
            // is a Gemm flag rather than a materialised copy of a possibly huge matrix.
            var outCols = c.Shape(n.Output[0])[1];
            var g2 = c.E.Reshape(g, -1, outCols);
            var daPrime2 = c.Int8Weights?.TryEmit(g2, b, transposed: !transB, alpha)
                ?? c.E.Op("Gemm", [g2, b], Attr.Float("alpha", alpha), Attr.Int("transB", transB ? 0 : 1));
            var aShape = c.Shape(a);
            var inner = transA ? aShape[0] : aShape[1];
            var daPrime = c.E.Reshape(daPrime2, c.Classes, -1, inner);
            result[0] = transA ? c.E.Transpose(daPrime, 0, 2, 1) : daPrime;
        }
        if (c.IsActive(b))
        {
            var aPrimeT = transA ? a : c.E.Transpose(a, 1, 0);
            var dbPrime = c.E.MatMul(aPrimeT, scaled);
            result[1] = transB ? c.E.Transpose(dbPrime, 0, 2, 1) : dbPrime;
        }
        if (n.Input.Count > 2 && c.IsActive(n.Input[2]))
        {
            var gc = beta == 1f ? g : c.E.Mul(g, c.E.ScalarFloat(beta));
            result[2] = c.Unbroadcast(gc, n.Input[2], n.Output[0]);
        }
        return result;
    }

    private static string?[] Softmax(GradientContext c, NodeProto n, string?[] d)
    {
        if (c.E.Opset < 13) throw new GradientRuleException("Softmax before opset 13 (2-D coercion) is not supported");
        var axis = Attr.GetInt(n, "axis", -1);
        var gAxis = axis < 0 ? axis : axis + 1;
        var y = n.Output[0];
        var g = d[0]!;
        var dot = c.E.Op("ReduceSum", [c.E.Mul(g, y), c.E.ConstInt64(gAxis)], Attr.Int("keepdims", 1));
        return [c.E.Mul(y, c.E.Sub(g, dot))];
    }

    private static string?[] LogSoftmax(GradientContext c, NodeProto n, string?[] d)
    {
        if (c.E.Opset < 13) throw new GradientRuleException("LogSoftmax before opset 13 (2-D coercion) is not supported");
        var axis = Attr.GetInt(n, "axis", -1);
        var gAxis = axis < 0 ? axis : axis + 1;
        var g = d[0]!;
        var total = c.E.Op("ReduceSum", [g, c.E.ConstInt64(gAxis)], Attr.Int("keepdims", 1));
        return [c.E.Sub(g, c.E.Mul(c.E.Op("Exp", [n.Output[0]]), total))];
    }

    private static string?[] BatchNormalization(GradientContext c, NodeProto n, string?[] d)
    {
        if (Attr.GetInt(n, "training_mode", 0) != 0) throw new GradientRuleException("BatchNormalization in training mode is not supported");
        for (int i = 1; i < n.Input.Count; i++)
            if (c.IsActive(n.Input[i])) throw new GradientRuleException($"gradient with respect to input {i} (statistics/affine parameters) is not supported");
        var eps = Attr.GetFloat(n, "epsilon", 1e-5f);
        var rank = c.Rank(n.Input[0]);
        var factor = c.E.Div(n.Input[1], c.E.Op("Sqrt", [c.E.Add(n.Input[4], c.E.ScalarFloat(eps))]));
        if (rank > 2) factor = c.E.Unsqueeze(factor, Enumerable.Range(1, rank - 2).Select(i => (long)i).ToArray());
        return [c.E.Mul(d[0]!, factor)];
    }

    private static string?[] GlobalAveragePool(GradientContext c, NodeProto n, string?[] d)
    {
        var shape = c.Shape(n.Input[0]);
        var spatial = shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        var scaled = c.E.Mul(d[0]!, c.E.ScalarFloat(1f / spatial));
        return [c.E.Op("Expand", [scaled, c.ShapeWithClassAxis(n.Input[0])])];
    }

    private static string?[] Reduce(GradientContext c, NodeProto n, string g, bool mean)
    {
        var x = n.Input[0];
        var shape = c.Shape(x);
        var rank = shape.Length;
        var axes = Attr.GetInts(n, "axes") ?? (n.Input.Count > 1 && n.Input[1].Length > 0 ? c.IntValues(n.Input[1]) : []);
        if (axes.Length == 0)
        {
            if (Attr.GetInt(n, "noop_with_empty_axes", 0) != 0) return [g];
            axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        }
        var normalized = axes.Select(a => GradientContext.Axis(a, rank)).OrderBy(a => a).ToArray();
        if (Attr.GetInt(n, "keepdims", 1) == 0) g = c.E.Unsqueeze(g, normalized.Select(a => a + 1).ToArray());
        if (mean)
        {
            var count = normalized.Aggregate(1L, (acc, a) => acc * shape[a]);
            g = c.E.Mul(g, c.E.ScalarFloat(1f / count));
        }
        return [c.E.Op("Expand", [g, c.ShapeWithClassAxis(x)])];
    }

    private static string?[] AveragePool(GradientContext c, NodeProto n, string?[] d)
    {
        var x = n.Input[0];
        var p = PoolGeometry.Of(c, n);
        var xs = c.Shape(x);
        var ys = c.Shape(n.Output[0]);
        var (channels, h, w, ho, wo) = (xs[1], xs[2], xs[3], ys[2], ys[3]);
        var countIncludePad = Attr.GetInt(n, "count_include_pad", 0) != 0;
        // Each window's divisor: the elements it covers inside the input (or inside the padded input with
        // count_include_pad); windows of ceil_mode that hang past the padding never count the overhang.
        var divisor = new float[ho * wo];
        long top = countIncludePad ? -p.Pads[0] : 0, left = countIncludePad ? -p.Pads[1] : 0;
        long bottom = countIncludePad ? h + p.Pads[2] : h, right = countIncludePad ? w + p.Pads[3] : w;
        for (long i = 0; i < ho; i++)
            for (long j = 0; j < wo; j++)
            {
                long r0 = i * p.Strides[0] - p.Pads[0], c0 = j * p.Strides[1] - p.Pads[1];
                long rows = Math.Min(r0 + p.Kernel[0], bottom) - Math.Max(r0, top);
                long cols = Math.Min(c0 + p.Kernel[1], right) - Math.Max(c0, left);
                divisor[i * wo + j] = 1f / Math.Max(1, rows * cols);
            }
        var g = divisor.Distinct().Count() == 1
            ? c.E.Mul(d[0]!, c.E.ScalarFloat(divisor[0]))
            : c.E.Mul(d[0]!, c.E.ConstFloat(divisor, [ho, wo]));
        var ones = Enumerable.Repeat(1f, (int)(channels * p.Kernel[0] * p.Kernel[1])).ToArray();
        var kernel = c.E.ConstFloat(ones, [channels, 1, p.Kernel[0], p.Kernel[1]]);
        return [ScatterWindows(c, x, g, kernel, p, channels, h, w, ho, wo)];
    }

    // Sends each window's gradient back over the window with a depthwise transposed convolution of ones.
    private static string ScatterWindows(GradientContext c, string x, string g, string kernel, PoolGeometry p, long channels, long h, long w, long ho, long wo)
    {
        var batched = c.E.Reshape(g, -1, channels, ho, wo);
        var pads = p.Pads.ToArray();
        var outputPadding = new long[2];
        var full = new[] { h, w };
        var sizes = new[] { ho, wo };
        for (int i = 0; i < 2; i++)
        {
            var produced = p.Strides[i] * (sizes[i] - 1) + p.Kernel[i] - pads[i] - pads[i + 2];
            var diff = full[i] - produced;
            if (diff >= 0) outputPadding[i] = diff;
            else pads[i + 2] += -diff;
        }
        var dx = c.E.Op("ConvTranspose", [batched, kernel],
            Attr.Int("group", channels), Attr.Ints("kernel_shape", p.Kernel), Attr.Ints("strides", p.Strides),
            Attr.Ints("pads", pads), Attr.Ints("output_padding", outputPadding));
        return c.ReshapeLike(dx, x);
    }

    private static string?[] MaxPool(GradientContext c, NodeProto n, string?[] d)
    {
        var x = n.Input[0];
        if (c.Rank(x) != 4) throw new GradientRuleException("only 2-D MaxPool is supported");
        if (Attr.GetInt(n, "storage_order", 0) != 0) throw new GradientRuleException("MaxPool with storage_order 1 is not supported");
        var p = PoolGeometry.Of(c, n);
        var overlapping = p.Kernel[0] > p.Strides[0] || p.Kernel[1] > p.Strides[1] || p.Dilations.Any(v => v != 1);
        if (overlapping && c.E.Opset < 16) throw new GradientRuleException("overlapping MaxPool windows need opset 16 (ScatterElements reduction)");
        // A twin MaxPool with the Indices output; the original node stays untouched so its output is unchanged.
        var outs = c.E.OpMulti("MaxPool", [x], 2, n.Attribute.ToArray());
        var indices = c.E.Reshape(outs[1], 1, -1);
        var k = c.Classes;
        var updates = c.E.Reshape(d[0]!, k, -1);
        var expanded = c.E.Op("Expand", [indices, c.E.ConstInt64(k, 1)]);
        var size = c.E.Reshape(c.E.Op("Size", [x]), 1);
        var zeros = c.E.ZerosOfShape(c.E.Concat(0, c.E.ConstInt64(k), size));
        var scatter = overlapping
            ? c.E.Op("ScatterElements", [zeros, expanded, updates], Attr.Int("axis", 1), Attr.String("reduction", "add"))
            : c.E.Op("ScatterElements", [zeros, expanded, updates], Attr.Int("axis", 1));
        return [c.ReshapeLike(scatter, x)];
    }
}
