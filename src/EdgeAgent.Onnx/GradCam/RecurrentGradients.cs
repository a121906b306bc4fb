using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// Backward passes of LSTM, GRU and RNN as the ONNX spec defines them. The hidden states h_t come from the
/// forward op's own Y output (a twin op is added when the model does not expose Y); gate values are recomputed
/// from them in parallel over time, the LSTM cell state by a cheap element-wise recurrence. The backward
/// recurrence is unrolled over the (static) sequence length (a Scan over the LSTM's steps was measured on the
/// VGG19-RNN: no faster, so the plain graph stays); the input gradient is one Gemm over all steps and classes at
/// the end, or one small product with the time sum when the CAM needs only that (<see cref="ChannelSumChain"/>).
/// </summary>
internal static class RecurrentGradients
{
    public static string?[] Lstm(GradientContext c, NodeProto n, string?[] d)
    {
        if (Attr.GetInt(n, "input_forget", 0) != 0) throw new GradientRuleException("LSTM with input_forget=1 is not supported");
        if (n.Input.Count > 7 && n.Input[7].Length > 0) throw new GradientRuleException("LSTM peephole weights (input P) are not supported");
        var s = Setup(c, n, d, gates: 4, defaults: ["Sigmoid", "Tanh", "Tanh"]);
        var e = c.E;
        var initialC = n.Input.Count > 6 && n.Input[6].Length > 0 ? s.TimeMajorState(n.Input[6]) : null;
        var dYc = d.Length > 2 && d[2] is { } gc ? s.TimeMajorStateGradient(gc) : null;
        string? dX = null;
        for (int dir = 0; dir < s.Directions; dir++)
        {
            var (f, g, h) = (s.Acts[dir * 3], s.Acts[dir * 3 + 1], s.Acts[dir * 3 + 2]);
            var p = s.Direction(dir);
            var z = e.Split(s.Preactivations(p, p.R), 2, [s.Hidden, s.Hidden, s.Hidden, s.Hidden]);
            var (zi, zo, zf, zc) = (z[0], z[1], z[2], z[3]);
            var (gi, go, gf, gcand) = (f.Apply(e, zi), f.Apply(e, zo), f.Apply(e, zf), g.Apply(e, zc));
            // Cell states by the element-wise recurrence c_t = f_t * c_prev + i_t * g_t, in processing order.
            var forgetSteps = s.SplitTime(gf, 0);
            var inputSteps = s.SplitTime(e.Mul(gi, gcand), 0);
            var c0 = initialC is null ? p.ZeroState : e.Unsqueeze(e.Gather(initialC, dir, 0), 0);
            var cells = new string[s.Steps];
            var prev = c0;
            foreach (var t in p.ProcessingOrder)
            {
                cells[t] = e.Add(e.Mul(forgetSteps[t], prev), inputSteps[t]);
                prev = cells[t];
            }
            var cAll = e.Concat(0, cells);
            var cPrev = s.Previous(p, cells, c0);
            var hc = h.Apply(e, cAll);
            var cellFactor = e.Mul(go, h.Derivative(e, cAll, hc));
            var gateFactor = e.Concat(2,
                e.Mul(gcand, f.Derivative(e, zi, gi)),
                e.Mul(hc, f.Derivative(e, zo, go)),
                e.Mul(cPrev, f.Derivative(e, zf, gf)),
                e.Mul(gi, g.Derivative(e, zc, gcand)));
            // The backward recurrence on 2-D [K*N, width] rows per step, so that each step's product with R takes
            // the output gradient as its Gemm addend: dh = dz_next R + dY_t, dc = dh cellFactor_t + dc_next f_next,
            // dz = [dc, dh, dc, dc] gateFactor_t (six nodes per step).
            var hs = s.Hidden;
            var cellRows = s.StepRows(cellFactor, hs);
            var gateRows = s.StepRows(gateFactor, 4 * hs);
            var forgetRows = s.StepRows(gf, hs);
            var dYRows = p.OutputGradientTimeMajor is { } dy ? s.GradientStepRows(dy, hs) : null;
            var finalRows = p.FinalStateGradient is { } fs ? e.Reshape(fs, -1, hs) : null;
            var dYcRows = dYc is not null ? e.Reshape(e.Gather(dYc, dir, 1), -1, hs) : null;
            var dz = new string[s.Steps];
            string? dzNext = null, recC = null;
            for (int k = s.Steps - 1; k >= 0; k--)
            {
                var t = p.ProcessingOrder[k];
                var dh = dzNext is null
                    ? SumOf(e, dYRows?[t], finalRows) ?? e.Reshape(p.ZeroGradient, -1, hs)
                    : e.Op("Gemm", dYRows is null ? [dzNext, p.R] : [dzNext, p.R, dYRows[t]]);
                var dc = SumOf(e, e.Mul(dh, cellRows[t]), recC, k == s.Steps - 1 ? dYcRows : null)!;
                dz[t] = e.Mul(e.Concat(1, dc, dh, dc, dc), gateRows[t]);
                if (k > 0)
                {
                    dzNext = dz[t];
                    recC = e.Mul(dc, forgetRows[t]);
                }
            }
            dX = SumOf(e, dX, s.InputGradientFromRows(dz, p.W, 4 * hs));
        }
        return s.Finish(dX!);
    }

    public static string?[] Gru(GradientContext c, NodeProto n, string?[] d)
    {
        var s = Setup(c, n, d, gates: 3, defaults: ["Sigmoid", "Tanh"]);
        var e = c.E;
        var linearBeforeReset = Attr.GetInt(n, "linear_before_reset", 0) != 0;
        var hs = s.Hidden;
        string? dX = null;
        for (int dir = 0; dir < s.Directions; dir++)
        {
            var (f, g) = (s.Acts[dir * 2], s.Acts[dir * 2 + 1]);
            var p = s.Direction(dir);
            var rzr = e.Slice(p.R, 0, 0, 2 * hs);
            var rh = e.Slice(p.R, 0, 2 * hs, 3 * hs);
            var x = e.Split(s.InputProjection(p), 2, [hs, hs, hs]);
            var hzr = e.MatMul(p.HPrev, e.Transpose(rzr, 1, 0));
            var rb = p.B is null ? null : e.Split(e.Slice(p.B, 0, 3 * hs, 6 * hs), 0, [hs, hs, hs]);
            if (rb is not null) hzr = e.Add(hzr, e.Concat(0, rb[0], rb[1]));
            var hzrParts = e.Split(hzr, 2, [hs, hs]);
            var zp = e.Add(x[0], hzrParts[0]);
            var rp = e.Add(x[1], hzrParts[1]);
            var (zg, rg) = (f.Apply(e, zp), f.Apply(e, rp));
            string q, ap;
            if (linearBeforeReset)
            {
                q = e.MatMul(p.HPrev, e.Transpose(rh, 1, 0));
                if (rb is not null) q = e.Add(q, rb[2]);
                ap = e.Add(x[2], e.Mul(rg, q));
            }
            else
            {
                q = e.MatMul(e.Mul(rg, p.HPrev), e.Transpose(rh, 1, 0));
                ap = e.Add(x[2], q);
                if (rb is not null) ap = e.Add(ap, rb[2]);
            }
            var cand = g.Apply(e, ap);
            var fz = e.Mul(e.Sub(p.HPrev, cand), f.Derivative(e, zp, zg));
            var fa = e.Mul(e.OneMinus(zg), g.Derivative(e, ap, cand));
            var fr = f.Derivative(e, rp, rg);
            var zSteps = s.SplitTime(zg, 0);
            var dYSteps = p.OutputGradientSteps;
            var dzx = new string[s.Steps];
            string? rec = null;
            if (linearBeforeReset)
            {
                var faq = e.Mul(fa, e.Mul(q, fr));
                var recurrentFactor = s.SplitTime(e.Concat(2, fz, faq, e.Mul(fa, rg)), 0);
                var inputFactor = s.SplitTime(e.Concat(2, fz, faq, fa), 0);
                for (int k = s.Steps - 1; k >= 0; k--)
                {
                    var t = p.ProcessingOrder[k];
                    var dh = SumOf(e, dYSteps?[t], rec, k == s.Steps - 1 ? p.FinalStateGradient : null) ?? p.ZeroGradient;
                    var dh3 = e.Concat(3, dh, dh, dh);
                    dzx[t] = e.Mul(dh3, inputFactor[t]);
                    if (k > 0) rec = e.Add(e.Mul(dh, zSteps[t]), s.TimesWeight(e.Mul(dh3, recurrentFactor[t]), p.R, 3 * hs, hs, 1));
                }
            }
            else
            {
                var faSteps = s.SplitTime(fa, 0);
                var fzSteps = s.SplitTime(fz, 0);
                var grSteps = s.SplitTime(e.Mul(p.HPrev, fr), 0);
                var rSteps = s.SplitTime(rg, 0);
                for (int k = s.Steps - 1; k >= 0; k--)
                {
                    var t = p.ProcessingOrder[k];
                    var dh = SumOf(e, dYSteps?[t], rec, k == s.Steps - 1 ? p.FinalStateGradient : null) ?? p.ZeroGradient;
                    var dap = e.Mul(dh, faSteps[t]);
                    var drh = s.TimesWeight(dap, rh, hs, hs, 1);
                    var dzp = e.Mul(dh, fzSteps[t]);
                    var drp = e.Mul(drh, grSteps[t]);
                    dzx[t] = e.Concat(3, dzp, drp, dap);
                    if (k > 0)
                        rec = SumOf(e, e.Mul(dh, zSteps[t]), e.Mul(drh, rSteps[t]), s.TimesWeight(e.Concat(3, dzp, drp), rzr, 2 * hs, hs, 1));
                }
            }
            dX = SumOf(e, dX, s.InputGradient(dzx, p.W, 3 * hs));
        }
        return s.Finish(dX!);
    }

    public static string?[] Rnn(GradientContext c, NodeProto n, string?[] d)
    {
        var s = Setup(c, n, d, gates: 1, defaults: ["Tanh"]);
        var e = c.E;
        string? dX = null;
        for (int dir = 0; dir < s.Directions; dir++)
        {
            var f = s.Acts[dir];
            var p = s.Direction(dir);
            var a = s.Preactivations(p, p.R);
            var factor = s.SplitTime(f.Derivative(e, a, p.Y), 0);
            var dYSteps = p.OutputGradientSteps;
            var da = new string[s.Steps];
            string? rec = null;
            for (int k = s.Steps - 1; k >= 0; k--)
            {
                var t = p.ProcessingOrder[k];
                var dh = SumOf(e, dYSteps?[t], rec, k == s.Steps - 1 ? p.FinalStateGradient : null) ?? p.ZeroGradient;
                da[t] = e.Mul(dh, factor[t]);
                if (k > 0) rec = s.TimesWeight(da[t], p.R, s.Hidden, s.Hidden, 1);
            }
            dX = SumOf(e, dX, s.InputGradient(da, p.W, s.Hidden));
        }
        return s.Finish(dX!);
    }

    private static string? SumOf(GradientGraphEmitter e, params string?[] terms)
    {
        string? sum = null;
        foreach (var t in terms)
            if (t is not null) sum = sum is null ? t : e.Add(sum, t);
        return sum;
    }

    private static RecurrentSetup Setup(GradientContext c, NodeProto n, string?[] d, int gates, string[] defaults)
    {
        for (int i = 1; i < n.Input.Count; i++)
            if (i != 4 && c.IsActive(n.Input[i]))
                throw new GradientRuleException($"gradient with respect to input {i} (weights or initial state) is not supported");
        if (Attr.Find(n, "clip") is not null) throw new GradientRuleException("the clip attribute is not supported");
        var layout = Attr.GetInt(n, "layout", 0);
        var xShape = c.Shape(n.Input[0]);
        var steps = layout == 0 ? xShape[0] : xShape[1];
        if (n.Input.Count > 4 && n.Input[4].Length > 0)
        {
            var lens = c.IntValues(n.Input[4]);
            if (lens.Any(v => v != steps)) throw new GradientRuleException("sequence_lens shorter than the sequence are not supported");
        }
        var direction = Attr.GetString(n, "direction", "forward");
        var directions = direction == "bidirectional" ? 2 : 1;
        var hidden = Attr.GetInt(n, "hidden_size", c.Shape(n.Input[2])[2]);
        var acts = RnnActivation.Parse(n, defaults, directions);
        return new RecurrentSetup(c, n, d, (int)steps, directions, direction, hidden, layout, gates, acts);
    }
}
