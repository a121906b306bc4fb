using Onnx;
using static EdgeAgent.Onnx.Tests.GradCam.TestGraph;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>One derivative check: a graph recipe with input X, its shape and the range X is drawn from.</summary>
internal sealed record OpCase(string Name, Func<TestGraph, ModelProto> Recipe, long[] XShape, double Lo = -1, double Hi = 1);

/// <summary>Small graphs exercising each supported op (and its attribute variants) on the differentiated path.</summary>
internal static class OpCases
{
    public static readonly OpCase[] All =
    [
        new("Identity", g => g.Score(g.Node("Identity", [g.Input("X", 2, 3)])), [2, 3]),
        new("Dropout", g => g.Score(g.Node("Dropout", [g.Input("X", 2, 3)])), [2, 3]),
        new("Cast", g => g.Score(g.Node("Mul", [g.Node("Cast", [g.Input("X", 2, 3)], g.CastTo()), g.Weight([3])])), [2, 3]),
        new("Reshape", g => g.Score(g.Node("Mul", [g.Node("Reshape", [g.Input("X", 2, 3, 4), g.Ints(4, 6)]), g.Weight([6])])), [2, 3, 4]),
        new("Reshape (PyTorch shape subgraph)", g =>
        {
            var x = g.Input("X", 2, 3, 4);
            var batch = g.Node("Gather", [g.Node("Shape", [x]), g.Scalar(0)], Attr("axis", 0L));
            var shape = g.Node("Concat", [g.Node("Unsqueeze", [batch, g.Ints(0)]), g.Ints(-1)], Attr("axis", 0L));
            return g.Score(g.Node("Tanh", [g.Node("Reshape", [x, shape])]));
        }, [2, 3, 4]),
        new("Flatten", g => g.Score(g.Node("Mul", [g.Node("Flatten", [g.Input("X", 2, 3, 2, 2)], Attr("axis", 1L)), g.Weight([12])])), [2, 3, 2, 2]),
        new("Transpose", g => g.Score(g.Node("Mul", [g.Node("Transpose", [g.Input("X", 2, 3, 4)], Attr("perm", 2L, 0L, 1L)), g.Weight([4, 2, 3])])), [2, 3, 4]),
        new("Squeeze", g => g.Score(g.Node("Mul", [g.Node("Squeeze", [g.Input("X", 2, 1, 3), g.Ints(1)]), g.Weight([3])])), [2, 1, 3]),
        new("Unsqueeze", g => g.Score(g.Node("Mul", [g.Node("Unsqueeze", [g.Input("X", 2, 3), g.Ints(0, 2)]), g.Weight([2, 1])])), [2, 3]),
        new("Gather (2-D indices, duplicates)", g =>
        {
            var t = new TensorProto { Name = "idx", DataType = 7 };
            t.Dims.AddRange([2, 2]);
            t.Int64Data.AddRange([0, 2, 1, 2]);
            g.Graph.Initializer.Add(t);
            return g.Score(g.Node("Mul", [g.Node("Gather", [g.Input("X", 2, 3, 4), "idx"], Attr("axis", 1L)), g.Weight([4])]));
        }, [2, 3, 4]),
        new("Gather (scalar -1, PyTorch x[:, -1])", g => g.Score(g.Node("Sigmoid", [g.Node("Gather", [g.Input("X", 2, 3, 4), g.Scalar(-1)], Attr("axis", 1L))])), [2, 3, 4]),
        new("Slice", g => g.Score(g.Node("Tanh", [g.Node("Slice", [g.Input("X", 3, 5), g.Ints(1, -4), g.Ints(3, 100), g.Ints(0, 1)])])), [3, 5]),
        new("Split + Concat", g =>
        {
            var parts = g.Nodes("Split", [g.Input("X", 2, 6), g.Ints(2, 4)], 2, Attr("axis", 1L));
            return g.Score(g.Node("Concat", [parts[1], g.Node("Mul", [parts[0], parts[0]])], Attr("axis", 1L)));
        }, [2, 6]),
        new("Split (one output unused)", g => g.Score(g.Node("Tanh", [g.Nodes("Split", [g.Input("X", 2, 6), g.Ints(2, 4)], 2, Attr("axis", -1L))[1]])), [2, 6]),
        new("Concat (with a constant input)", g => g.Score(g.Node("Tanh", [g.Node("Concat", [g.Weight([1, 3]), g.Input("X", 2, 3)], Attr("axis", 0L))])), [2, 3]),
        new("Expand", g => g.Score(g.Node("Mul", [g.Node("Expand", [g.Input("X", 3, 1), g.Ints(2, 3, 4)]), g.Weight([2, 3, 4])])), [3, 1]),
        Broadcast("Add"), Broadcast("Sub"), Broadcast("Mul"),
        new("Div (broadcast, both sides)", g =>
        {
            var x = g.Input("X", 2, 3, 4);
            var m = g.Node("ReduceMean", [x], Attr("axes", new[] { 1L }), Attr("keepdims", 1L));
            return g.Score(g.Node("Div", [x, m]), g.Node("Div", [m, x]));
        }, [2, 3, 4], 0.5, 1.5),
        new("Neg", g => g.Score(g.Node("Neg", [g.Input("X", 2, 3)])), [2, 3]),
        new("MatMul (batched x weight)", g => g.Score(g.Node("MatMul", [g.Input("X", 2, 3, 4), g.Weight([4, 5])])), [2, 3, 4]),
        new("MatMul (both operands active)", g =>
        {
            var x = g.Input("X", 2, 3, 4);
            return g.Score(g.Node("MatMul", [x, g.Node("Transpose", [x], Attr("perm", 0L, 2L, 1L))]));
        }, [2, 3, 4]),
        new("Gemm (transB, alpha, beta, bias)", g =>
            g.Score(g.Node("Gemm", [g.Input("X", 3, 4), g.Weight([5, 4]), g.Weight([5])], Attr("transB", 1L), Attr("alpha", 0.7f), Attr("beta", 1.3f))), [3, 4]),
        new("Gemm (transA, active B and C)", g =>
        {
            var x = g.Input("X", 4, 3);
            var b = g.Node("Tanh", [x]);
            var cc = g.Node("MatMul", [g.Node("Transpose", [x], Attr("perm", 1L, 0L)), g.Weight([4, 3])]);
            return g.Score(g.Node("Gemm", [x, g.Node("Slice", [b, g.Ints(0), g.Ints(3), g.Ints(1)]), cc], Attr("transA", 1L), Attr("alpha", 1.5f), Attr("beta", 0.5f)));
        }, [4, 3]),
        new("Relu", g => g.Score(g.Node("Relu", [g.Input("X", 3, 4)])), [3, 4], -1, 1),
        new("LeakyRelu", g => g.Score(g.Node("LeakyRelu", [g.Input("X", 3, 4)], Attr("alpha", 0.1f))), [3, 4]),
        new("Sigmoid", g => g.Score(g.Node("Sigmoid", [g.Input("X", 3, 4)])), [3, 4], -3, 3),
        new("Tanh", g => g.Score(g.Node("Tanh", [g.Input("X", 3, 4)])), [3, 4], -2, 2),
        new("Softmax (axis 1 of 3-D)", g => g.Score(g.Node("Softmax", [g.Input("X", 2, 3, 4)], Attr("axis", 1L))), [2, 3, 4], -2, 2),
        new("Softmax (default axis)", g => g.Score(g.Node("Softmax", [g.Input("X", 2, 5)])), [2, 5], -2, 2),
        new("LogSoftmax", g => g.Score(g.Node("LogSoftmax", [g.Input("X", 2, 5)])), [2, 5], -2, 2),
        new("BatchNormalization (inference)", g =>
            g.Score(g.Node("BatchNormalization", [g.Input("X", 2, 3, 2, 2), g.Weight([3]), g.Weight([3]), g.Weight([3]), g.Weight([3], 0.2, 2)], Attr("epsilon", 1e-3f))), [2, 3, 2, 2]),
        new("GlobalAveragePool", g => g.Score(g.Node("GlobalAveragePool", [g.Input("X", 2, 3, 3, 4)])), [2, 3, 3, 4]),
        new("AveragePool (k3 s2 pads, exclude pad)", g =>
            g.Score(g.Node("AveragePool", [g.Input("X", 1, 2, 5, 5)], Attr("kernel_shape", 3L, 3L), Attr("strides", 2L, 2L), Attr("pads", 1L, 1L, 1L, 1L))), [1, 2, 5, 5]),
        new("AveragePool (k2 s2, include pad)", g =>
            g.Score(g.Node("AveragePool", [g.Input("X", 1, 2, 5, 4)], Attr("kernel_shape", 2L, 2L), Attr("strides", 2L, 2L), Attr("pads", 1L, 0L, 0L, 0L), Attr("count_include_pad", 1L))), [1, 2, 5, 4]),
        new("AveragePool (ceil_mode)", g =>
            g.Score(g.Node("AveragePool", [g.Input("X", 1, 1, 5, 5)], Attr("kernel_shape", 2L, 2L), Attr("strides", 2L, 2L), Attr("ceil_mode", 1L))), [1, 1, 5, 5]),
        new("MaxPool (k2 s2)", g => g.Score(g.Node("MaxPool", [g.Input("X", 1, 2, 4, 4)], Attr("kernel_shape", 2L, 2L), Attr("strides", 2L, 2L))), [1, 2, 4, 4]),
        new("MaxPool (k3 s1 pads, overlapping)", g =>
            g.Score(g.Node("MaxPool", [g.Input("X", 2, 1, 4, 4)], Attr("kernel_shape", 3L, 3L), Attr("strides", 1L, 1L), Attr("pads", 1L, 1L, 1L, 1L))), [2, 1, 4, 4]),
        new("ReduceMean (axes 1,2, no keepdims)", g => g.Score(g.Node("ReduceMean", [g.Input("X", 2, 3, 4)], Attr("axes", 1L, 2L), Attr("keepdims", 0L))), [2, 3, 4]),
        new("ReduceSum (axis -1, keepdims)", g => g.Score(g.Node("Mul", [g.Node("ReduceSum", [g.Input("X", 2, 3, 4), g.Ints(-1)]), g.Weight([3, 1])])), [2, 3, 4]),
        new("ReduceMean (opset 18, axes input)", g =>
        {
            g.Model.OpsetImport[0].Version = 18;
            return g.Score(g.Node("ReduceMean", [g.Input("X", 2, 3, 4), g.Ints(0, -1)], Attr("keepdims", 0L)));
        }, [2, 3, 4]),
        new("ReduceSum (all axes)", g => g.Score(g.Node("ReduceSum", [g.Input("X", 2, 3)], Attr("keepdims", 0L))), [2, 3]),
    ];

    private static OpCase Broadcast(string op) => new($"{op} (broadcast, both sides)", g =>
    {
        var x = g.Input("X", 2, 3, 4);
        var m = g.Node("ReduceMean", [x], Attr("axes", new[] { 1L }), Attr("keepdims", 1L));
        var w = g.Weight([4]);
        return g.Score(g.Node(op, [x, m]), g.Node(op, [m, x]), g.Node(op, [x, w]));
    }, [2, 3, 4]);
}
