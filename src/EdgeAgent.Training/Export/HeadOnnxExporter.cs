using EdgeAgent.Onnx.Graph;
using EdgeAgent.Training.Models;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Export;

/// <summary>
/// Writes a trained <see cref="CnnRnnHead"/> as an ONNX graph (inference form): input
/// <see cref="InputName"/> [N, C, H, W] -> outputs <see cref="LogitsName"/> and
/// <see cref="ProbabilitiesName"/> [N, K].
/// TorchSharp stacks LSTM gates as i, f, g, o; ONNX LSTM expects i, o, f, c (c = the candidate g),
/// so the weight and bias blocks are reordered here. Batch normalisation becomes a per-feature
/// Mul and Add with the running statistics folded in (exact up to float rounding).
/// </summary>
public static class HeadOnnxExporter
{
    public const string InputName = "features";
    public const string LogitsName = "logits";
    public const string ProbabilitiesName = "probabilities";
    /// <summary>The standardised feature map (Grad-CAM target of a head that standardises).</summary>
    public const string StandardizedName = "standardized_features";

    public static ModelProto Export(CnnRnnHead head, string graphName = "cnn_rnn_head")
    {
        head.eval();
        var g = new GraphBuilder(graphName);
        var c = head.Channels;
        var steps = (long)head.Height * head.Width;
        var units = head.Options.LstmUnits;
        var features = g.AddFloatInput(InputName, TensorDim.Batch, c, head.Height, head.Width);

        if (head.Options.Standardize)
        {
            var centred = g.AddNode("Sub", [features, g.AddInitializer("feature_mean", Floats(head.FeatureMean), 1, c, head.Height, head.Width)]);
            features = g.AddNode("Mul", [centred, g.AddInitializer("feature_scale", Floats(head.FeatureScale), 1, c, 1, 1)], [StandardizedName])[0];
        }

        // [N, C, H, W] -> [N, C, T] -> [T, N, C] (ONNX LSTM layout 0: sequence first).
        var flatSteps = g.AddNode("Reshape", [features, g.AddInt64Constant("seq_shape", 0, c, steps)]);
        var sequence = g.AddNode("Transpose", [flatSteps], NodeAttribute.Ints("perm", 2, 0, 1));

        var (w, r, wb, rb) = head.Lstm.Weights;
        var wOnnx = ToOnnxGateOrder(Floats(w), units, c);
        var rOnnx = ToOnnxGateOrder(Floats(r), units, units);
        var bias = ToOnnxGateOrder(Floats(wb), units, 1).Concat(ToOnnxGateOrder(Floats(rb), units, 1)).ToArray();
        var wName = g.AddInitializer("lstm_W", wOnnx, 1, 4 * units, c);
        var rName = g.AddInitializer("lstm_R", rOnnx, 1, 4 * units, units);
        var bName = g.AddInitializer("lstm_B", bias, 1, 8 * units);
        var lstmAttributes = new List<NodeAttribute> { NodeAttribute.Int("hidden_size", units) };
        if (head.Options.Activation == "relu")
        {
            // f (gates), g (candidate), h (cell output): the paper's LSTM(activation='relu').
            lstmAttributes.Add(NodeAttribute.Strings("activations", "Sigmoid", "Relu", "Relu"));
        }

        var y = g.AddNode("LSTM", [sequence, wName, rName, bName], ["lstm_Y"], lstmAttributes, "lstm")[0];
        var squeezed = g.AddNode("Squeeze", [y, g.AddInt64Constant("lstm_dir_axis", 1)]);       // [T, N, U]
        var batchFirst = g.AddNode("Transpose", [squeezed], NodeAttribute.Ints("perm", 1, 0, 2)); // [N, T, U]
        var normed = BatchNorm(g, batchFirst, head.LstmNorm, "lstm_bn");
        var flat = g.AddNode("Reshape", [normed, g.AddInt64Constant("flat_shape", 0, steps * units)]);
        var x = BatchNorm(g, g.AddNode("Relu", [Dense(g, flat, head.Dense1, "dense1")]), head.Norm1, "bn1");
        x = BatchNorm(g, g.AddNode("Relu", [Dense(g, x, head.Dense2, "dense2")]), head.Norm2, "bn2");
        var logits = Dense(g, x, head.Output, "dense_out", LogitsName);
        g.AddNode("Softmax", [logits], [ProbabilitiesName], [NodeAttribute.Int("axis", 1)]);
        g.AddFloatOutput(LogitsName, TensorDim.Batch, head.Classes);
        g.AddFloatOutput(ProbabilitiesName, TensorDim.Batch, head.Classes);
        g.SetMetadata("edgeagent.head", $"lstm={units}/{head.Options.Activation} dense={head.Options.Dense1},{head.Options.Dense2} classes={head.Classes}");
        return g.Build();
    }

    /// <summary>Reorders four stacked [units x cols] gate blocks from TorchSharp (i, f, g, o) to ONNX (i, o, f, c).</summary>
    public static float[] ToOnnxGateOrder(float[] torchOrder, int units, int columns)
    {
        var block = units * columns;
        if (torchOrder.Length != 4 * block)
        {
            throw new ArgumentException($"Expected {4 * block} LSTM weights, got {torchOrder.Length}.", nameof(torchOrder));
        }

        int[] torchIndexOfOnnxGate = [0, 3, 1, 2]; // i <- i, o <- o(3), f <- f(1), c <- g(2)
        var result = new float[torchOrder.Length];
        for (var gate = 0; gate < 4; gate++)
        {
            Array.Copy(torchOrder, torchIndexOfOnnxGate[gate] * block, result, gate * block, block);
        }

        return result;
    }

    private static string Dense(GraphBuilder g, string x, Linear layer, string name, string? output = null)
    {
        var weight = layer.weight!;
        var wName = g.AddInitializer($"{name}_W", Floats(weight), weight.shape[0], weight.shape[1]);
        var bName = g.AddInitializer($"{name}_b", Floats(layer.bias!), weight.shape[0]);
        return g.AddNode("Gemm", [x, wName, bName], [output ?? g.UniqueName(name)], [NodeAttribute.Int("transB", 1)])[0];
    }

    /// <summary>Inference batch norm over the last axis: x * scale + shift with scale = gamma / sqrt(var + eps).</summary>
    private static string BatchNorm(GraphBuilder g, string x, BatchNorm1d norm, string name)
    {
        var gamma = Floats(norm.weight!);
        var beta = Floats(norm.bias!);
        var mean = Floats(norm.running_mean!);
        var variance = Floats(norm.running_var!);
        var eps = norm.eps;
        var scale = new float[gamma.Length];
        var shift = new float[gamma.Length];
        for (var i = 0; i < gamma.Length; i++)
        {
            var s = gamma[i] / Math.Sqrt(variance[i] + eps);
            scale[i] = (float)s;
            shift[i] = (float)(beta[i] - (mean[i] * s));
        }

        var scaled = g.AddNode("Mul", [x, g.AddInitializer($"{name}_scale", scale, scale.Length)]);
        return g.AddNode("Add", [scaled, g.AddInitializer($"{name}_shift", shift, shift.Length)]);
    }

    /// <summary>A tensor's values (detached, on the CPU, contiguous) as floats.</summary>
    internal static float[] Floats(Tensor t)
    {
        using var noGrad = torch.no_grad();
        using var cpu = t.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }
}
