using Onnx;
using static EdgeAgent.Onnx.Tests.GradCam.TestGraph;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>Small CNN-RNN classifiers in the shapes the paper uses (feature map -> sequence -> RNN -> dense), batch symbolic.</summary>
internal static class WholeModels
{
    public const int Classes = 3;

    /// <summary>Conv -> Relu -> MaxPool (target) -> PyTorch-style reshape to a sequence -> LSTM (Relu, as the paper) -> Gemm -> Softmax.</summary>
    public static ModelProto CnnLstm() => CnnRnn("LSTM");

    /// <summary>Same trunk with a GRU (linear_before_reset 1, as PyTorch exports) reading the last step of Y.</summary>
    public static ModelProto CnnGru() => CnnRnn("GRU");

    private static ModelProto CnnRnn(string op)
    {
        var g = new TestGraph(useDouble: false, seed: op.Length);
        var x = BatchInput(g, "image", 1, 8, 8);
        var conv = g.Node("Conv", [x, g.Weight([4, 1, 3, 3]), g.Weight([4], -0.1, 0.1)], Attr("pads", 1L, 1L, 1L, 1L), Attr("kernel_shape", 3L, 3L));
        var relu = g.Node("Relu", [conv]);
        var pool = g.Node("MaxPool", [relu], Attr("kernel_shape", 2L, 2L), Attr("strides", 2L, 2L));
        // [N, 4, 4, 4] -> [N, 4, 16] via Shape/Gather/Concat as torch.onnx.export writes it, then time-major [16, N, 4]
        var batch = g.Node("Unsqueeze", [g.Node("Gather", [g.Node("Shape", [pool]), g.Scalar(0)], Attr("axis", 0L)), g.Ints(0)]);
        var seqShape = g.Node("Concat", [batch, g.Ints(4, -1)], Attr("axis", 0L));
        var seq = g.Node("Transpose", [g.Node("Reshape", [pool, seqShape])], Attr("perm", 2L, 0L, 1L));
        const long hidden = 6;
        string features;
        if (op == "LSTM")
        {
            var outs = g.Nodes("LSTM", [seq, g.Weight([1, 4 * hidden, 4], -0.5, 0.5), g.Weight([1, 4 * hidden, hidden], -0.5, 0.5), g.Weight([1, 8 * hidden], -0.2, 0.2)], 2,
                Attr("hidden_size", hidden), Strings("activations", "Sigmoid", "Relu", "Relu"));
            features = g.Node("Squeeze", [outs[1], g.Ints(0)]);
        }
        else
        {
            var y = g.Node("GRU", [seq, g.Weight([1, 3 * hidden, 4], -0.5, 0.5), g.Weight([1, 3 * hidden, hidden], -0.5, 0.5), g.Weight([1, 6 * hidden], -0.2, 0.2)],
                Attr("hidden_size", hidden), Attr("linear_before_reset", 1L));
            var last = g.Node("Gather", [y, g.Scalar(-1)], Attr("axis", 0L));
            features = g.Node("Squeeze", [last, g.Ints(0)]);
        }
        g.NodeTo("logits", "Gemm", [features, g.Weight([Classes, hidden]), g.Weight([Classes], -0.1, 0.1)], Attr("transB", 1L));
        g.NodeTo("probabilities", "Softmax", ["logits"], Attr("axis", 1L));
        g.Output("probabilities");
        g.Output("logits");
        return g.Model;
    }

    /// <summary>The target tensor of <see cref="CnnRecurrent"/>.</summary>
    public const string CnnRecurrentTarget = "features";

    /// <summary>
    /// Conv -> Relu (target) -> MaxPool -> Reshape [N, C, T] -> Transpose to the layer's layout -> recurrent layer
    /// (any direction, layout 0 or 1) -> last step's Y_h -> Gemm: the shape whose CAM can come from the
    /// recurrent layer's time-summed input gradient (ChannelSumChain), with a max-pool inside the chain.
    /// </summary>
    public static ModelProto CnnRecurrent(string op, string direction, long layout)
    {
        var g = new TestGraph(useDouble: false, seed: op.Length + direction.Length + (int)layout);
        var x = BatchInput(g, "image", 1, 8, 8);
        var conv = g.Node("Conv", [x, g.Weight([4, 1, 3, 3]), g.Weight([4], -0.1, 0.1)], Attr("pads", 1L, 1L, 1L, 1L), Attr("kernel_shape", 3L, 3L));
        g.NodeTo(CnnRecurrentTarget, "Relu", [conv]);
        var pool = g.Node("MaxPool", [CnnRecurrentTarget], Attr("kernel_shape", 2L, 2L), Attr("strides", 2L, 2L));
        var sequence = g.Node("Reshape", [pool, g.Ints(0, 4, -1)]);
        var seq = layout == 0
            ? g.Node("Transpose", [sequence], Attr("perm", 2L, 0L, 1L))
            : g.Node("Transpose", [sequence], Attr("perm", 0L, 2L, 1L));
        const long hidden = 5;
        var directions = direction == "bidirectional" ? 2 : 1;
        var gates = op switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        var outs = g.Nodes(op, [seq, g.Weight([directions, gates * hidden, 4], -0.5, 0.5), g.Weight([directions, gates * hidden, hidden], -0.5, 0.5),
            g.Weight([directions, 2 * gates * hidden], -0.2, 0.2)], 2,
            Attr("hidden_size", hidden), Attr("layout", layout), Attr("direction", direction));
        // Y_h: [D, N, H] (layout 0) or [N, D, H] (layout 1) -> [N, D*H]
        var yh = layout == 0 ? g.Node("Transpose", [outs[1]], Attr("perm", 1L, 0L, 2L)) : outs[1];
        var features = g.Node("Reshape", [yh, g.Ints(0, -1)]);
        g.NodeTo("logits", "Gemm", [features, g.Weight([Classes, directions * hidden]), g.Weight([Classes], -0.1, 0.1)], Attr("transB", 1L));
        g.Output("logits");
        return g.Model;
    }

    /// <summary>Conv -> Relu (target) -> GlobalAveragePool -> Flatten -> Gemm: alpha is known in closed form (W[k,c] / (H W)).</summary>
    public static (ModelProto Model, float[] Weights, long Channels) CnnGap(long opset = 17)
    {
        var g = new TestGraph(useDouble: false, seed: 5, opset: opset);
        var x = BatchInput(g, "image", 1, 7, 6);
        var conv = g.Node("Conv", [x, g.Weight([5, 1, 3, 3]), g.Weight([5], 0, 0.2)], Attr("kernel_shape", 3L, 3L));
        g.NodeTo("features", "Relu", [conv]);
        var flat = g.Node("Flatten", [g.Node("GlobalAveragePool", ["features"])], Attr("axis", 1L));
        var w = g.Weight([Classes, 5]);
        g.NodeTo("logits", "Gemm", [flat, w, g.Weight([Classes])], Attr("transB", 1L));
        g.NodeTo("probabilities", "Softmax", ["logits"]);
        g.Output("probabilities");
        var weights = g.Graph.Initializer.Single(t => t.Name == w).FloatData.ToArray();
        return (g.Model, weights, 5);
    }

    /// <summary>As tf2onnx writes a Keras model: Conv in NCHW, Transpose to NHWC, activation (target) and a dense head in NHWC.</summary>
    public static ModelProto Nhwc()
    {
        var g = new TestGraph(useDouble: false, seed: 9);
        var x = BatchInput(g, "image", 1, 6, 6);
        var conv = g.Node("Conv", [x, g.Weight([4, 1, 3, 3]), g.Weight([4])], Attr("pads", 1L, 1L, 1L, 1L), Attr("kernel_shape", 3L, 3L));
        var nhwc = g.Node("Transpose", [conv], Attr("perm", 0L, 2L, 3L, 1L));
        var act = g.Node("Relu", [nhwc]);
        var flat = g.Node("Reshape", [act, g.Ints(-1, 144)]);
        g.NodeTo("logits", "Add", [g.Node("MatMul", [flat, g.Weight([144, Classes], -0.3, 0.3)]), g.Weight([Classes])]);
        g.Output("logits");
        return g.Model;
    }

    /// <summary>A symbolic batch declared, but 1 hard-coded inside (Reshape to [1, -1]), as some converters write.</summary>
    public static ModelProto HardCodedBatch()
    {
        var g = new TestGraph(useDouble: false, seed: 12);
        var x = BatchInput(g, "image", 1, 4, 4);
        var act = g.Node("Relu", [g.Node("Conv", [x, g.Weight([3, 1, 3, 3]), g.Weight([3])], Attr("pads", 1L, 1L, 1L, 1L), Attr("kernel_shape", 3L, 3L))]);
        var flat = g.Node("Reshape", [act, g.Ints(1, -1)]);
        g.NodeTo("logits", "MatMul", [flat, g.Weight([48, Classes])]);
        g.Output("logits");
        return g.Model;
    }

    private static string BatchInput(TestGraph g, string name, long c, long h, long w)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var d in new[] { c, h, w }) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        g.Graph.Input.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } });
        return name;
    }
}
