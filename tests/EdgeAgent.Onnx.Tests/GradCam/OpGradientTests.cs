using EdgeAgent.Onnx.GradCam;
using Xunit.Abstractions;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>Every derivative rule against central finite differences through real ONNX Runtime sessions.</summary>
public sealed class OpGradientTests(ITestOutputHelper output)
{
    public static TheoryData<string> OpNames() => new(OpCases.All.Select(c => c.Name));

    public static TheoryData<string> RecurrentNames() => new(RecurrentCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(OpNames))]
    public void Gradient_of_op_matches_finite_differences(string name) => Check(OpCases.All.Single(c => c.Name == name));

    [Theory]
    [MemberData(nameof(RecurrentNames))]
    public void Gradient_of_recurrent_op_matches_finite_differences(string name) => Check(RecurrentCases.All.Single(c => c.Name == name));

    private void Check(OpCase c)
    {
        var result = GradientCheck.Run(c.Recipe, c.XShape, c.Lo, c.Hi);
        output.WriteLine($"| {c.Name} | {result.RelativeError:E1} | {result.FdPrecision} |");
        Assert.True(result.Passed, $"{c.Name}: {result}");
    }

    [Fact]
    public void Unsupported_op_on_the_path_names_node_type_and_position()
    {
        var g = new TestGraph(useDouble: false);
        var x = g.Input("X", 2, 3);
        var t = g.Node("Tanh", [x]);
        g.NodeTo("erf_out", "Erf", [t]);
        var model = g.Score("erf_out");
        var ex = Assert.Throws<UnsupportedOperatorException>(() => GradientCheck.Analytic(model, new double[6], [2, 3]));
        Assert.Equal("Erf", ex.OpType);
        Assert.Equal("Erf_1", ex.NodeName);
        Assert.Equal(1, ex.NodeIndex);
        Assert.Contains("Erf_1", ex.Message);
    }

    [Fact]
    public void Unsupported_op_off_the_path_is_ignored()
    {
        // Erf only feeds a side output, so it is not between X and the score and must not stop the pass.
        var g = new TestGraph(useDouble: false);
        var x = g.Input("X", 2, 3);
        g.NodeTo("side", "Erf", [x]);
        g.Output("side");
        var model = g.Score(g.Node("Tanh", [x]));
        var result = GradientCheck.Run(_ => model, [2, 3]);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Unsupported_feature_of_a_supported_op_is_reported()
    {
        var g = new TestGraph(useDouble: false);
        var x = g.Input("X", 3, 5);
        var model = g.Score(g.Node("Slice", [x, g.Ints(0), g.Ints(5), g.Ints(1), g.Ints(2)]));
        var ex = Assert.Throws<UnsupportedOperatorException>(() => GradientCheck.Analytic(model, new double[15], [3, 5]));
        Assert.Equal("Slice", ex.OpType);
        Assert.Contains("step 2", ex.Message);
    }

    [Fact]
    public void Old_opset_is_refused_with_a_clear_message()
    {
        var g = new TestGraph(useDouble: false, opset: 11);
        var model = g.Score(g.Node("Tanh", [g.Input("X", 2, 3)]));
        var ex = Assert.Throws<NotSupportedException>(() => GradientCheck.Analytic(model, new double[6], [2, 3]));
        Assert.Contains("opset 11", ex.Message);
    }

    [Fact]
    public void Covers_every_op_the_issue_lists()
    {
        string[] required =
        [
            "Identity", "Dropout", "Cast", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Gather", "Slice", "Split",
            "Concat", "Expand", "Add", "Sub", "Mul", "Div", "Neg", "MatMul", "Gemm", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
            "Softmax", "BatchNormalization", "GlobalAveragePool", "AveragePool", "MaxPool", "ReduceMean", "ReduceSum", "LSTM", "GRU", "RNN",
        ];
        var tested = OpCases.All.Concat(RecurrentCases.All).Select(c => c.Name).ToList();
        foreach (var op in required)
        {
            Assert.Contains(op, OpGradientRules.SupportedOps);
            Assert.Contains(tested, name => name.StartsWith(op, StringComparison.Ordinal) || name.Contains(" " + op, StringComparison.Ordinal) || name.Contains(op + " ", StringComparison.Ordinal));
        }
    }
}
