using EdgeAgent.Onnx.Graph;
using Onnx;

namespace EdgeAgent.Onnx.Tests;

/// <summary>
/// Layers run through ONNX Runtime against the ONNX operator definitions written out in C# (double precision).
/// Recurrent tolerance: each pre-activation is a dot product of ≤ 8 terms of magnitude ≤ 1 (float32 error
/// ≈ 8·2⁻²⁴ ≈ 5e-7); ONNX Runtime's vectorised sigmoid/tanh approximations add about 1e-6 at most; recurrent
/// weights with spectral radius ≈ 0.5 keep errors from growing over 4 steps. 2e-5 absolute leaves a margin
/// of about 10× over that estimate, while a wrong gate order or activation moves outputs by 1e-2 or more.
/// </summary>
public sealed class LayerBuilderTests
{
    private const double RecurrentTolerance = 2e-5;
    private const int Steps = 4, Batch = 2, InputSize = 3, Hidden = 5;

    [Fact]
    public void Lstm_follows_onnx_gate_order_i_o_f_c_with_relu_activations()
    {
        var (graph, layers, x) = RecurrentGraph(11);
        var lstm = layers.Lstm("x", InputSize, Hidden, ["Sigmoid", "Relu", "Relu"]);
        graph.AddFloatOutput(lstm.Y);
        graph.AddFloatOutput(lstm.YH);
        graph.AddFloatOutput(lstm.YC!);
        var model = graph.Build();
        var (w, r, b) = Weights(model);

        var results = OrtRunner.Run(model, Input(x), lstm.Y, lstm.YH, lstm.YC!);

        var h = new double[Batch, Hidden];
        var c = new double[Batch, Hidden];
        var expectedY = new double[Steps, Batch, Hidden];
        for (var t = 0; t < Steps; t++)
        {
            var hNext = new double[Batch, Hidden];
            for (var n = 0; n < Batch; n++)
            for (var k = 0; k < Hidden; k++)
            {
                double Gate(int g) => PreActivation(x, w, r, b, h, t, n, (g * Hidden) + k, 4);
                var i = Sigmoid(Gate(0));
                var o = Sigmoid(Gate(1));
                var f = Sigmoid(Gate(2));
                var candidate = Math.Max(0, Gate(3));
                c[n, k] = (f * c[n, k]) + (i * candidate);
                hNext[n, k] = o * Math.Max(0, c[n, k]);
                expectedY[t, n, k] = hNext[n, k];
            }

            h = hNext;
        }

        Assert.Equal([Steps, 1L, Batch, Hidden], results[lstm.Y].Shape);
        AssertClose(expectedY, results[lstm.Y].Values);
        AssertClose(h, results[lstm.YH].Values);
        AssertClose(c, results[lstm.YC!].Values);
    }

    [Fact]
    public void Gru_follows_onnx_gate_order_z_r_h_with_linear_before_reset()
    {
        var (graph, layers, x) = RecurrentGraph(12);
        var gru = layers.Gru("x", InputSize, Hidden, linearBeforeReset: true);
        graph.AddFloatOutput(gru.Y);
        var model = graph.Build();
        var (w, r, b) = Weights(model);

        var result = OrtRunner.Run(model, Input(x), gru.Y)[gru.Y];

        var h = new double[Batch, Hidden];
        var expectedY = new double[Steps, Batch, Hidden];
        for (var t = 0; t < Steps; t++)
        {
            var hNext = new double[Batch, Hidden];
            for (var n = 0; n < Batch; n++)
            for (var k = 0; k < Hidden; k++)
            {
                var z = Sigmoid(PreActivation(x, w, r, b, h, t, n, k, 3));
                var reset = Sigmoid(PreActivation(x, w, r, b, h, t, n, Hidden + k, 3));
                var row = (2 * Hidden) + k;
                double inputPart = b[row], recurrentPart = b[(3 * Hidden) + row];
                for (var j = 0; j < InputSize; j++)
                {
                    inputPart += x[(((t * Batch) + n) * InputSize) + j] * (double)w[(row * InputSize) + j];
                }

                for (var j = 0; j < Hidden; j++)
                {
                    recurrentPart += h[n, j] * r[(row * Hidden) + j];
                }

                var candidate = Math.Tanh(inputPart + (reset * recurrentPart));
                hNext[n, k] = ((1 - z) * candidate) + (z * h[n, k]);
                expectedY[t, n, k] = hNext[n, k];
            }

            h = hNext;
        }

        AssertClose(expectedY, result.Values);
    }

    [Fact]
    public void Rnn_applies_its_activation_to_input_and_recurrent_terms()
    {
        var (graph, layers, x) = RecurrentGraph(13);
        var rnn = layers.Rnn("x", InputSize, Hidden, ["Relu"]);
        graph.AddFloatOutput(rnn.Y);
        var model = graph.Build();
        var (w, r, b) = Weights(model);

        var result = OrtRunner.Run(model, Input(x), rnn.Y)[rnn.Y];

        var h = new double[Batch, Hidden];
        var expectedY = new double[Steps, Batch, Hidden];
        for (var t = 0; t < Steps; t++)
        {
            var hNext = new double[Batch, Hidden];
            for (var n = 0; n < Batch; n++)
            for (var k = 0; k < Hidden; k++)
            {
                hNext[n, k] = Math.Max(0, PreActivation(x, w, r, b, h, t, n, k, 1));
                expectedY[t, n, k] = hNext[n, k];
            }

            h = hNext;
        }

        AssertClose(expectedY, result.Values);
    }

    [Fact]
    public void Bidirectional_lstm_has_two_sets_of_weights_and_two_output_directions()
    {
        var (graph, layers, x) = RecurrentGraph(14);
        var lstm = layers.Lstm("x", InputSize, Hidden, ["Sigmoid", "Tanh", "Tanh"], RecurrentDirection.Bidirectional);
        graph.AddFloatOutput(lstm.Y);
        var model = graph.Build();

        Assert.Equal([2L, 4 * Hidden, InputSize], model.Graph.Initializer.Single(t => t.Name.EndsWith("_W", StringComparison.Ordinal)).Dims);
        var activations = model.Graph.Node.Single(n => n.OpType == "LSTM").Attribute.Single(a => a.Name == "activations");
        Assert.Equal(6, activations.Strings.Count);
        var result = OrtRunner.Run(model, Input(x), lstm.Y)[lstm.Y];
        Assert.Equal([Steps, 2L, Batch, Hidden], result.Shape);
    }

    [Fact]
    public void BatchNormalization_uses_seeded_statistics_that_are_not_the_identity()
    {
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", TensorDim.Batch, 4, 2, 2);
        var layers = new LayerBuilder(graph, 21);
        var y = layers.BatchNormalization("x", 4, epsilon: 1e-3f);
        graph.AddFloatOutput(y);
        var model = graph.Build();
        var stats = model.Graph.Initializer.Select(OnnxTensors.ToFloats).ToArray();
        var (scale, bias, mean, variance) = (stats[0], stats[1], stats[2], stats[3]);
        Assert.All(mean, m => Assert.NotEqual(0f, m));
        Assert.All(variance, v => Assert.InRange(v, 0.5f, 1.5f));

        var x = new DeterministicRandom(22).UniformArray(2 * 4 * 4, 3.0);
        var result = OrtRunner.RunOne(model, "x", x, [2, 4, 2, 2], y);
        for (var i = 0; i < x.Length; i++)
        {
            var channel = (i / 4) % 4;
            var expected = (scale[channel] * (x[i] - mean[channel]) / Math.Sqrt(variance[channel] + 1e-3)) + bias[channel];
            // A handful of float32 operations (sub, sqrt, div, mul, add) each within half an ulp: 8 ulps of the magnitudes involved.
            var tolerance = 8 * FloatBounds.UnitRoundoff * (Math.Abs(expected) + (4 * Math.Abs(x[i])) + 1);
            Assert.True(Math.Abs(result.Values[i] - expected) <= tolerance, $"y[{i}] = {result.Values[i]}, expected {expected}");
        }
    }

    [Fact]
    public void Pools_flatten_reshape_and_transpose_move_values_as_onnx_defines()
    {
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", TensorDim.Batch, 1, 4, 4);
        var layers = new LayerBuilder(graph, 1);
        var max = layers.MaxPool("x", output: "max");
        var average = layers.AveragePool("x", output: "average");
        var global = layers.Flatten(layers.GlobalAveragePool("x"), output: "global");
        var reshaped = layers.Reshape("x", [0, 2, 8]);
        var transposed = layers.Transpose(reshaped, [0, 2, 1], output: "transposed");
        foreach (var name in new[] { max, average, global, transposed })
        {
            graph.AddFloatOutput(name);
        }

        var x = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        var results = OrtRunner.Run(graph.Build(),
            new Dictionary<string, (float[], long[])> { ["x"] = (x, [1, 1, 4, 4]) }, max, average, global, transposed);

        Assert.Equal([5f, 7f, 13f, 15f], results[max].Values);
        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f], results[average].Values);   // exact: sums of 4 small integers / 4
        Assert.Equal([7.5f], results[global].Values);
        Assert.Equal([1L, 8L, 2L], results[transposed].Shape);
        Assert.Equal([0f, 8f, 1f, 9f], results[transposed].Values.Take(4));
    }

    private static (GraphBuilder Graph, LayerBuilder Layers, float[] X) RecurrentGraph(ulong seed)
    {
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", Steps, TensorDim.Batch, InputSize);
        var x = new DeterministicRandom(seed + 100).UniformArray(Steps * Batch * InputSize, 1.0);
        return (graph, new LayerBuilder(graph, seed), x);
    }

    private static Dictionary<string, (float[], long[])> Input(float[] x) => new() { ["x"] = (x, [Steps, Batch, InputSize]) };

    private static (float[] W, float[] R, float[] B) Weights(ModelProto model)
    {
        float[] Find(string suffix) => OnnxTensors.ToFloats(model.Graph.Initializer.Single(t => t.Name.EndsWith(suffix, StringComparison.Ordinal)));
        return (Find("_W"), Find("_R"), Find("_B"));
    }

    /// <summary>Xt·W[row]ᵀ + Ht-1·R[row]ᵀ + Wb[row] + Rb[row] for one gate row (one direction).</summary>
    private static double PreActivation(float[] x, float[] w, float[] r, float[] b, double[,] h, int t, int n, int row, int gates)
    {
        double sum = b[row] + (double)b[(gates * Hidden) + row];
        for (var j = 0; j < InputSize; j++)
        {
            sum += x[(((t * Batch) + n) * InputSize) + j] * (double)w[(row * InputSize) + j];
        }

        for (var j = 0; j < Hidden; j++)
        {
            sum += h[n, j] * r[(row * Hidden) + j];
        }

        return sum;
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static void AssertClose(Array expected, float[] actual)
    {
        var flat = expected.Cast<double>().ToArray();
        Assert.Equal(flat.Length, actual.Length);
        for (var i = 0; i < flat.Length; i++)
        {
            Assert.True(Math.Abs(flat[i] - actual[i]) <= RecurrentTolerance, $"element {i}: {actual[i]}, expected {flat[i]}");
        }
    }
}
