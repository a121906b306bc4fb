using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// Shared plumbing of the recurrent backward passes: layout conversion to time-major, per-direction weights,
/// hidden states from Y, the previous-state sequence and the per-step slices of the output gradients.
/// </summary>
internal sealed class RecurrentSetup
{
    private readonly GradientContext _c;
    private readonly NodeProto _n;
    private readonly string?[] _d;
    private readonly string _xTimeMajor;
    private readonly string _yTimeMajor;
    private readonly string? _dYTimeMajor;
    private readonly string? _dYhTimeMajor;
    private readonly string? _h0TimeMajor;

    public RecurrentSetup(GradientContext c, NodeProto n, string?[] d, int steps, int directions, string direction, long hidden, long layout, int gates, RnnActivation[] acts)
    {
        SumOverTime = ReferenceEquals(c.TimeSummedNode, n);
        _c = c;
        _n = n;
        _d = d;
        Steps = steps;
        Directions = directions;
        DirectionName = direction;
        Hidden = hidden;
        Layout = layout;
        Gates = gates;
        Acts = acts;
        InputSize = c.Shape(n.Input[0])[2];
        var e = c.E;
        _xTimeMajor = layout == 0 ? n.Input[0] : e.Transpose(n.Input[0], 1, 0, 2);
        var y = n.Output.Count > 0 && n.Output[0].Length > 0 ? n.Output[0] : TwinWithY();
        _yTimeMajor = layout == 0 ? y : e.Transpose(y, 1, 2, 0, 3);
        _dYTimeMajor = d.Length > 0 && d[0] is { } dy ? (layout == 0 ? dy : e.Transpose(dy, 0, 2, 3, 1, 4)) : null;
        _dYhTimeMajor = d.Length > 1 && d[1] is { } dyh ? TimeMajorStateGradient(dyh) : null;
        _h0TimeMajor = n.Input.Count > 5 && n.Input[5].Length > 0 ? TimeMajorState(n.Input[5]) : null;
    }

    public int Steps { get; }
    public long InputSize { get; }
    public int Directions { get; }
    public string DirectionName { get; }
    public long Hidden { get; }
    public long Layout { get; }
    public int Gates { get; }
    public RnnActivation[] Acts { get; }

    /// <summary>Only sum_t dX_t is wanted (see <see cref="GradientContext.TimeSummedNode"/>).</summary>
    public bool SumOverTime { get; }

    private string TwinWithY()
    {
        var inputs = _n.Input.ToArray();
        return _c.E.OpMulti(_n.OpType, inputs, 1, _n.Attribute.ToArray())[0];
    }

    /// <summary>[D, N, H] whatever the layout.</summary>
    public string TimeMajorState(string state) => Layout == 0 ? state : _c.E.Transpose(state, 1, 0, 2);

    /// <summary>[K, D, N, H] whatever the layout.</summary>
    public string TimeMajorStateGradient(string g) => Layout == 0 ? g : _c.E.Transpose(g, 0, 2, 1, 3);

    public string[] SplitTime(string x, long axis) => _c.E.Split(x, axis, Enumerable.Repeat(1L, Steps).ToArray());

    public DirectionData Direction(int dir)
    {
        var e = _c.E;
        var reverse = DirectionName == "reverse" || (DirectionName == "bidirectional" && dir == 1);
        var w = e.Gather(_n.Input[1], dir, 0);
        var r = e.Gather(_n.Input[2], dir, 0);
        var b = _n.Input.Count > 3 && _n.Input[3].Length > 0 ? e.Gather(_n.Input[3], dir, 0) : null;
        var y = e.Gather(_yTimeMajor, dir, 1);
        var zero = e.ZerosOfShape(e.Shape(e.Slice(y, 0, 0, 1)));
        var h0 = _h0TimeMajor is null ? zero : e.Unsqueeze(e.Gather(_h0TimeMajor, dir, 0), 0);
        string hPrev;
        if (Steps == 1) hPrev = h0;
        else hPrev = reverse ? e.Concat(0, e.Slice(y, 0, 1, Steps), h0) : e.Concat(0, h0, e.Slice(y, 0, 0, Steps - 1));
        var order = Enumerable.Range(0, Steps).ToArray();
        if (reverse) Array.Reverse(order);
        var dy = _dYTimeMajor is null ? null : e.Gather(_dYTimeMajor, dir, 2);
        var final = _dYhTimeMajor is null ? null : e.Unsqueeze(e.Gather(_dYhTimeMajor, dir, 1), 1);
        return new DirectionData(_c, w, r, b, y, hPrev, zero, order, dy, final);
    }

    /// <summary>X W^T + Wb over all steps at once: [T, N, gates*H].</summary>
    public string InputProjection(DirectionData p)
    {
        var e = _c.E;
        var x = e.MatMul(_xTimeMajor, e.Transpose(p.W, 1, 0));
        return p.B is null ? x : e.Add(x, e.Slice(p.B, 0, 0, Gates * Hidden));
    }

    /// <summary>
    /// X W^T + H_prev R^T + Wb + Rb over all steps at once, [T, N, gates*H], as one product [X, H_prev] [W^T; R^T]
    /// (the stacked weight and the summed biases are constants ONNX Runtime folds at session start).
    /// </summary>
    public string Preactivations(DirectionData p, string r)
    {
        var e = _c.E;
        var stacked = e.Concat(0, e.Transpose(p.W, 1, 0), e.Transpose(r, 1, 0));
        var z = e.MatMul(e.Concat(2, _xTimeMajor, p.HPrev), stacked);
        if (p.B is null) return z;
        var bias = e.Add(e.Slice(p.B, 0, 0, Gates * Hidden), e.Slice(p.B, 0, Gates * Hidden, 2 * Gates * Hidden));
        return e.Add(z, bias);
    }

    /// <summary>The state each step started from, time-indexed: [T, N, H].</summary>
    public string Previous(DirectionData p, string[] states, string initial)
    {
        if (Steps == 1) return initial;
        var e = _c.E;
        var reverse = p.ProcessingOrder[0] != 0;
        return reverse ? e.Concat(0, [.. states[1..], initial]) : e.Concat(0, [initial, .. states[..^1]]);
    }

    /// <summary>
    /// x [K, steps, N, inner] times a 2-D weight [inner, outer] as one 2-D Gemm over K*steps*N rows: the weight is
    /// read once for every class, whatever the runtime does with batched MatMul.
    /// </summary>
    public string TimesWeight(string x, string weight, long inner, long outer, long steps)
    {
        var e = _c.E;
        var product = e.Op("Gemm", [e.Reshape(x, -1, inner), weight]);
        return e.Reshape(product, _c.Classes, steps, -1, outer);
    }

    /// <summary>
    /// One direction's input gradient from the gradients of its pre-activations (one [K, 1, N, inner] per step)
    /// and its input weight W [inner, I]: dX = dz W for all steps at once, [K, T, N, I]; with
    /// <see cref="SumOverTime"/>, (sum_t dz_t) W = sum_t dX_t, [K, N, I], one small product instead.
    /// </summary>
    public string InputGradient(string[] steps, string w, long inner)
    {
        var e = _c.E;
        if (!SumOverTime) return TimesWeight(e.Concat(1, steps), w, inner, InputSize, Steps);
        return e.Squeeze(TimesWeight(SumOfSteps(steps), w, inner, InputSize, 1), 1);
    }

    /// <summary>A forward tensor [T, N, width] as one [K*N, width] row block per step (rows: class-major, then sample).</summary>
    public string[] StepRows(string timeMajor, long width)
    {
        var e = _c.E;
        var byBatch = e.Transpose(timeMajor, 1, 0, 2);
        var perClass = e.Op("Expand", [byBatch, _c.ShapeWithClassAxis(byBatch)]);
        return e.Split(e.Reshape(perClass, -1, Steps * width), 1, Enumerable.Repeat(width, Steps).ToArray());
    }

    /// <summary>A gradient [K, T, N, width] as one [K*N, width] row block per step.</summary>
    public string[] GradientStepRows(string gradient, long width)
    {
        var e = _c.E;
        var rows = e.Reshape(e.Transpose(gradient, 0, 2, 1, 3), -1, Steps * width);
        return e.Split(rows, 1, Enumerable.Repeat(width, Steps).ToArray());
    }

    /// <summary>
    /// As <see cref="InputGradient"/> for pre-activation gradients given as [K*N, inner] rows per step: [K, T, N, I],
    /// or with <see cref="SumOverTime"/> [K, N, I].
    /// </summary>
    public string InputGradientFromRows(string[] steps, string w, long inner)
    {
        var e = _c.E;
        if (SumOverTime) return e.Reshape(e.Op("Gemm", [SumOfSteps(steps), w]), _c.Classes, -1, InputSize);
        var all = e.Transpose(e.Reshape(e.Concat(1, steps), _c.Classes, -1, Steps, inner), 0, 2, 1, 3);
        return TimesWeight(all, w, inner, InputSize, Steps);
    }

    private string SumOfSteps(string[] steps) => steps.Length == 1 ? steps[0] : _c.E.Op("Sum", steps);

    /// <summary>Back from time-major [K, T, N, I] to the node's layout (a time sum [K, N, I] as it is); aligned with the node's inputs.</summary>
    public string?[] Finish(string dx)
    {
        var result = new string?[_n.Input.Count];
        result[0] = Layout == 0 || SumOverTime ? dx : _c.E.Transpose(dx, 0, 2, 1, 3);
        return result;
    }
}

/// <summary>Per-direction tensors of a recurrent backward pass (time-major).</summary>
internal sealed class DirectionData(
    GradientContext c, string w, string r, string? b, string y, string hPrev, string zeroState, int[] order, string? dy, string? final)
{
    private string? _zeroGradient;
    private string[]? _dySteps;

    public string W { get; } = w;
    public string R { get; } = r;
    public string? B { get; } = b;
    public string Y { get; } = y;
    public string HPrev { get; } = hPrev;
    public string ZeroState { get; } = zeroState;
    public int[] ProcessingOrder { get; } = order;
    /// <summary>Gradient of this direction's Y, [K, T, N, H], or null when Y carries none.</summary>
    public string? OutputGradientTimeMajor { get; } = dy;

    /// <summary>The same as one [K, 1, N, H] tensor per step.</summary>
    public string[]? OutputGradientSteps =>
        OutputGradientTimeMajor is not { } g ? null : _dySteps ??= c.E.Split(g, 1, Enumerable.Repeat(1L, ProcessingOrder.Length).ToArray());
    public string? FinalStateGradient { get; } = final;

    /// <summary>Zeros [K, 1, N, H] for a step no output gradient reaches.</summary>
    public string ZeroGradient => _zeroGradient ??= c.E.ZerosOfShape(c.ShapeWithClassAxis(ZeroState));
}
