using EdgeAgent.Training.Export;
using EdgeAgent.Training.Models;
using TorchSharp;

namespace EdgeAgent.Training.Tests;

[Collection(TorchSharpGlobalStateCollection.Name)]
public sealed class HeadExportParityTests
{
    // Float32 LSTM over 12-16 steps plus three small dense layers: each op rounds at ~6e-8 relative and
    // the two runtimes accumulate in different orders, so a few hundred ulps (1e-5 relative to the
    // output scale) bounds honest differences while a wrong gate order or layout gives errors of order 1.
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData("tanh")]
    [InlineData("relu")]
    public void Exported_head_matches_TorchSharp_on_the_same_features(string activation)
    {
        torch.manual_seed(7);
        using var head = new CnnRnnHead(channels: 5, height: 3, width: 4, classes: 3, new HeadOptions { LstmUnits = 6, Activation = activation, Dense1 = 8, Dense2 = 5 });
        Warm(head); // non-trivial running statistics for the batch norms
        head.eval();
        var input = RandomFeatures(2 * 5 * 3 * 4, seed: 3);
        using var x = torch.tensor(input, [2, 5, 3, 4]);
        using var noGrad = torch.no_grad();
        using var logits = head.forward(x);
        var expected = logits.data<float>().ToArray();

        var model = HeadOnnxExporter.Export(head);
        var onnx = OrtRun.Run(model, HeadOnnxExporter.InputName, input, [2, 5, 3, 4], HeadOnnxExporter.LogitsName, HeadOnnxExporter.ProbabilitiesName);

        Assert.True(OrtRun.RelativeError(onnx[HeadOnnxExporter.LogitsName], expected) <= Tolerance);
        var probabilities = onnx[HeadOnnxExporter.ProbabilitiesName];
        Assert.Equal(1.0, probabilities[0] + probabilities[1] + probabilities[2], 5);
    }

    [Fact]
    public void TorchSharp_LSTM_gate_order_maps_onto_ONNX_LSTM()
    {
        // A lone LSTM with distinct gate weights: if the i,f,g,o -> i,o,f,c mapping were wrong the
        // exported sequence would differ by O(1), far above float rounding.
        torch.manual_seed(11);
        using var lstm = new SequenceLstm(inputSize: 3, units: 4, activation: "tanh");
        var input = RandomFeatures(5 * 2 * 3, seed: 5); // [N=2, T=5, C=3]
        using var x = torch.tensor(input, [2, 5, 3]);
        using var noGrad = torch.no_grad();
        using var y = lstm.forward(x);
        var expected = y.data<float>().ToArray();

        var (w, r, wb, rb) = lstm.Weights;
        var g = new EdgeAgent.Onnx.Graph.GraphBuilder("lstm_only");
        var inName = g.AddFloatInput("x", 2, 5, 3);
        var seq = g.AddNode("Transpose", [inName], EdgeAgent.Onnx.Graph.NodeAttribute.Ints("perm", 1, 0, 2));
        var wName = g.AddInitializer("W", HeadOnnxExporter.ToOnnxGateOrder(w.data<float>().ToArray(), 4, 3), 1, 16, 3);
        var rName = g.AddInitializer("R", HeadOnnxExporter.ToOnnxGateOrder(r.data<float>().ToArray(), 4, 4), 1, 16, 4);
        var bName = g.AddInitializer("B", HeadOnnxExporter.ToOnnxGateOrder(wb.data<float>().ToArray(), 4, 1).Concat(HeadOnnxExporter.ToOnnxGateOrder(rb.data<float>().ToArray(), 4, 1)).ToArray(), 1, 32);
        var outY = g.AddNode("LSTM", [seq, wName, rName, bName], ["Y"], [EdgeAgent.Onnx.Graph.NodeAttribute.Int("hidden_size", 4)])[0];
        var squeezed = g.AddNode("Squeeze", [outY, g.AddInt64Constant("axis", 1)]);
        g.AddNode("Transpose", [squeezed], ["out"], [EdgeAgent.Onnx.Graph.NodeAttribute.Ints("perm", 1, 0, 2)]);
        g.AddFloatOutput("out", 2, 5, 4);
        var onnx = OrtRun.Run(g.Build(), "x", input, [2, 5, 3], "out")["out"];

        Assert.True(OrtRun.RelativeError(onnx, expected) <= Tolerance);
        // The same weights without the reordering must disagree: the check above can fail.
        Assert.NotEqual(w.data<float>().ToArray(), HeadOnnxExporter.ToOnnxGateOrder(w.data<float>().ToArray(), 4, 3));
    }

    private static void Warm(CnnRnnHead head)
    {
        head.train();
        using var noGrad = torch.no_grad();
        for (var i = 0; i < 5; i++)
        {
            using var batch = torch.randn(8, 5, 3, 4) * 2 + 0.5;
            using var _ = head.forward(batch);
        }
    }

    private static float[] RandomFeatures(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2)).ToArray();
    }
}
