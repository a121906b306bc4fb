using Onnx;
using static EdgeAgent.Onnx.Tests.GradCam.TestGraph;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>LSTM/GRU/RNN variants: directions, layouts, activations, initial states, which outputs are read.</summary>
internal static class RecurrentCases
{
    private const long Steps = 3, Batch = 2, InputSize = 4, Hidden = 3;

    public static readonly OpCase[] All =
    [
        Make("LSTM forward, default activations, Y", "LSTM", "forward", 0, null, initial: false, useY: true, useYh: false, useYc: false),
        Make("LSTM reverse, initial h/c, Y + Y_c", "LSTM", "reverse", 0, null, initial: true, useY: true, useYh: false, useYc: true),
        Make("LSTM bidirectional, Relu (paper), Y_h only", "LSTM", "bidirectional", 0, ["Sigmoid", "Relu", "Relu", "Sigmoid", "Relu", "Relu"], initial: false, useY: false, useYh: true, useYc: false),
        Make("LSTM bidirectional, layout 1, Y + Y_h + Y_c", "LSTM", "bidirectional", 1, null, initial: true, useY: true, useYh: true, useYc: true),
        Make("LSTM forward, HardSigmoid/ScaledTanh/Softsign", "LSTM", "forward", 0, ["HardSigmoid", "ScaledTanh", "Softsign"], initial: false, useY: true, useYh: false, useYc: false,
            alphas: [0.3f, 1.2f], betas: [0.45f, 0.8f]),
        Make("GRU forward, linear_before_reset 0, Y", "GRU", "forward", 0, null, initial: false, useY: true, useYh: false, useYc: false),
        Make("GRU reverse, linear_before_reset 1, initial h, Y_h", "GRU", "reverse", 0, null, initial: true, useY: false, useYh: true, useYc: false, linearBeforeReset: true),
        Make("GRU bidirectional, layout 1, Relu, lbr 1", "GRU", "bidirectional", 1, ["Sigmoid", "Relu", "Sigmoid", "Relu"], initial: true, useY: true, useYh: true, useYc: false, linearBeforeReset: true),
        Make("GRU bidirectional, lbr 0, Y + Y_h", "GRU", "bidirectional", 0, null, initial: false, useY: true, useYh: true, useYc: false),
        Make("RNN forward, Tanh, Y", "RNN", "forward", 0, null, initial: false, useY: true, useYh: false, useYc: false),
        Make("RNN bidirectional, Relu, initial h, Y_h", "RNN", "bidirectional", 0, ["Relu", "Relu"], initial: true, useY: false, useYh: true, useYc: false),
        Make("RNN reverse, layout 1, LeakyRelu alpha", "RNN", "reverse", 1, ["LeakyRelu"], initial: false, useY: true, useYh: true, useYc: false, alphas: [0.2f]),
    ];

    private static OpCase Make(string name, string op, string direction, long layout, string[]? acts, bool initial, bool useY, bool useYh, bool useYc,
        bool linearBeforeReset = false, float[]? alphas = null, float[]? betas = null)
    {
        var gates = op switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        var dirs = direction == "bidirectional" ? 2 : 1;
        long[] xShape = layout == 0 ? [Steps, Batch, InputSize] : [Batch, Steps, InputSize];
        long[] stateShape = layout == 0 ? [dirs, Batch, Hidden] : [Batch, dirs, Hidden];
        return new OpCase(name, g =>
        {
            var x = g.Input("X", xShape);
            var inputs = new List<string>
            {
                x, g.Weight([dirs, gates * Hidden, InputSize], -0.6, 0.6), g.Weight([dirs, gates * Hidden, Hidden], -0.6, 0.6),
                g.Weight([dirs, 2 * gates * Hidden], -0.3, 0.3), "",
            };
            if (initial)
            {
                inputs.Add(g.Weight(stateShape, -0.5, 0.5));
                if (op == "LSTM") inputs.Add(g.Weight(stateShape, -0.5, 0.5));
            }
            var attrs = new List<AttributeProto> { Attr("hidden_size", Hidden), Attr("direction", direction), Attr("layout", layout) };
            if (acts is not null) attrs.Add(Strings("activations", acts));
            if (alphas is not null) attrs.Add(Floats("activation_alpha", alphas));
            if (betas is not null) attrs.Add(Floats("activation_beta", betas));
            if (linearBeforeReset) attrs.Add(Attr("linear_before_reset", 1L));
            var outs = new List<string> { useY ? "Y" : "", useYh ? "Y_h" : "" };
            if (op == "LSTM") outs.Add(useYc ? "Y_c" : "");
            while (outs.Count > 0 && outs[^1].Length == 0) outs.RemoveAt(outs.Count - 1);
            g.NodeTo(outs.ToArray(), op, inputs.ToArray(), attrs.ToArray());
            return g.Score(outs.Where(o => o.Length > 0).ToArray());
        }, xShape);
    }
}
