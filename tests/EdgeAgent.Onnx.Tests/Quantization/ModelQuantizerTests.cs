using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Quantization;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeAgent.Onnx.Tests.Quantization;

public sealed class ModelQuantizerTests
{
    private static readonly QuantizationOptions OneThread = new() { Threads = 1 };

    [Theory]
    [InlineData(ActivationType.UInt8)]
    [InlineData(ActivationType.Int8)]
    public void Conv_relu_pool_output_stays_within_the_error_the_quantization_steps_allow(ActivationType activations)
    {
        var model = QuantizationFixtures.ConvReluPool(out var weightName);
        var samples = QuantizationFixtures.Images(8, 3, 8);
        var result = ModelQuantizer.Quantize(model, samples, [1, 3, 8, 8], OneThread with { Activations = activations });
        var weights = OnnxTensors.ToFloats(model.Graph.Initializer.Single(t => t.Name == weightName));
        var sx = result.Parameters["input"].Scale;
        var sy = result.Parameters["act"].Scale;

        foreach (var sample in samples)
        {
            var expected = OrtRunner.RunOne(model, "input", sample.Tensor, [1, 3, 8, 8], "pooled").Values;
            var actual = OrtRunner.RunOne(result.Model, "input", sample.Tensor, [1, 3, 8, 8], "pooled").Values;
            var maxInput = sample.Tensor.Max();
            for (var m = 0; m < 4; m++)
            {
                // Per element of ReLU(conv): x̂ = x + e_x with |e_x| ≤ s_x/2, ŵ = w + e_w with |e_w| ≤ s_w/2 (per channel),
                // bias rounded to s_x·s_w/2, output rounded to s_y/2 (inputs are calibration samples: no clipping).
                // |Σŵx̂ − Σwx| ≤ Σ(|w|·s_x/2 + (|x| + s_x/2)·s_w/2); ReLU is 1-Lipschitz; the average pool cannot
                // exceed the largest element error. Plus float32 slack for the two dot products.
                var channel = weights.AsSpan(m * 27, 27);
                var sw = MaxAbs(channel) / 127.0;
                var bound = (sy / 2.0) + (sx * sw / 2.0);
                foreach (var w in channel)
                {
                    bound += (Math.Abs(w) * sx / 2.0) + ((maxInput + (sx / 2.0)) * sw / 2.0);
                }

                bound += 2 * FloatBounds.DotProduct(28, (maxInput + sx) * (SumAbs(channel) + 1));
                Assert.True(Math.Abs(expected[m] - actual[m]) <= bound, $"channel {m}: {expected[m]} vs {actual[m]}, bound {bound:g3}");
            }
        }
    }

    [Fact]
    public void Onnx_runtime_fuses_the_QDQ_graph_into_int8_kernels()
    {
        var fixture = ModelFixtures.TinyCnnGap(seed: 2, size: 16);
        var result = ModelQuantizer.Quantize(fixture.Model, QuantizationFixtures.Images(6, 3, 16), [1, 3, 16, 16], OneThread);
        using var temp = new TempDirectory();
        var optimized = temp.Combine("optimized.onnx");
        using (var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            OptimizedModelFilePath = optimized,
        })
        using (new InferenceSession(OnnxModelFile.ToBytes(result.Model), options))
        {
        }

        var ops = OnnxModelFile.Load(optimized).Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(2, ops.Count(o => o == "QLinearConv"));
        Assert.DoesNotContain("Conv", ops);
        Assert.Contains("QLinearGlobalAveragePool", ops);
    }

    [Fact]
    public void Add_and_Concat_joins_run_as_int8_kernels_and_stay_close_to_float()
    {
        var model = QuantizationFixtures.Branches();
        var samples = QuantizationFixtures.Images(6, 3, 8);
        var result = ModelQuantizer.Quantize(model, samples, [1, 3, 8, 8], OneThread);
        using var temp = new TempDirectory();
        var optimized = temp.Combine("optimized.onnx");
        using (var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            OptimizedModelFilePath = optimized,
        })
        using (new InferenceSession(OnnxModelFile.ToBytes(result.Model), options))
        {
        }

        var ops = OnnxModelFile.Load(optimized).Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(2, ops.Count(o => o == "QLinearConv"));
        Assert.Contains("QLinearAdd", ops);
        Assert.Contains("QLinearConcat", ops);

        // Each pooled value is the mean of a quantized tensor (the Concat output, error ≤ half its step) whose inputs
        // carry their own rounding: the Add output adds the two ReLU branch errors (each ≤ its half step plus the
        // conv error, bounded loosely here by one full step of that branch) and one more half step.
        var steps = result.Parameters.Values.Select(p => (double)p.Scale).ToList();
        var bound = 4 * steps.Max();
        var expected = OrtRunner.RunOne(model, "input", samples[0].Tensor, [1, 3, 8, 8], "pooled").Values;
        var actual = OrtRunner.RunOne(result.Model, "input", samples[0].Tensor, [1, 3, 8, 8], "pooled").Values;
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= bound, $"{i}: {expected[i]} vs {actual[i]} (bound {bound:g3})");
        }
    }

    [Fact]
    public void A_residual_Add_followed_by_ReLU_is_quantized_after_the_ReLU_and_fuses_into_QLinearAdd()
    {
        var model = QuantizationFixtures.ResidualRelu();
        var result = ModelQuantizer.Quantize(model, QuantizationFixtures.Images(6, 3, 8), [1, 3, 8, 8], OneThread);

        // The Add's own (signed) output gets no scale: the ReLU output does, so all 256 uint8 levels cover [0, max].
        var add = result.Model.Graph.Node.Single(n => n.OpType == "Add");
        Assert.False(result.Parameters.ContainsKey(add.Output[0]));
        Assert.Equal(0, result.Parameters["joined"].ZeroPoint);
        Assert.True(result.Ranges["joined"].Min >= 0);

        using var temp = new TempDirectory();
        var optimized = temp.Combine("optimized.onnx");
        using (var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            OptimizedModelFilePath = optimized,
        })
        using (new InferenceSession(OnnxModelFile.ToBytes(result.Model), options))
        {
        }

        // ORT drops a ReLU in front of a uint8 Q with zero point 0 and fuses DQ-Add-Q: no float Add or ReLU is left.
        var ops = OnnxModelFile.Load(optimized).Graph.Node.Select(n => n.OpType).ToList();
        Assert.Contains("QLinearAdd", ops);
        Assert.DoesNotContain("Add", ops);
        Assert.DoesNotContain("Relu", ops);
        Assert.Equal(3, ops.Count(o => o == "QLinearConv"));
    }

    [Fact]
    public void The_CAM_survives_quantization_and_reads_the_dequantized_feature_map()
    {
        var fixture = ModelFixtures.TinyCnnLstm(seed: 4, size: 16);
        var withCam = GradCamTransform.Apply(fixture.Model, new GradCamOptions { TargetTensor = fixture.FeatureMapName }).Model;
        var samples = QuantizationFixtures.Images(6, 3, 16);
        var options = OneThread with { FloatOutputs = new HashSet<string>(["cam"], StringComparer.Ordinal) };
        var result = ModelQuantizer.Quantize(withCam, samples, [1, 3, 16, 16], options);

        // The recurrent op stays float; the gradient nodes read the int8 forward's feature map, never the float one.
        Assert.Contains(result.Model.Graph.Node, n => n.OpType == "LSTM");
        var features = result.DequantizedActivations[fixture.FeatureMapName];
        var gradientNodes = result.Model.Graph.Node.Where(n => n.Name.StartsWith(ReverseModeDifferentiatorPrefix, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(gradientNodes);
        Assert.Contains(gradientNodes, n => n.Input.Contains(features));
        Assert.DoesNotContain(result.Model.Graph.Node, n => n.OpType != "QuantizeLinear" && n.Input.Contains(fixture.FeatureMapName));
        Assert.DoesNotContain(gradientNodes, n => n.OpType is "QuantizeLinear" or "DequantizeLinear");
        // Backward products through the int8 dense weights run as dynamic integer products, not float copies.
        Assert.Contains(gradientNodes, n => n.OpType == "MatMulInteger");

        var cam = OrtRunner.RunOne(result.Model, "input", samples[0].Tensor, [1, 3, 16, 16], "cam");
        Assert.Equal(new long[] { 1, 3, 8, 8 }, cam.Shape);
        Assert.All(cam.Values, v => Assert.True(float.IsFinite(v) && v >= 0));
        Assert.Contains(cam.Values, v => v > 0);
    }

    [Fact]
    public void Validation_reports_agreement_per_class_accuracy_CAM_correlation_and_layer_SQNR()
    {
        var fixture = ModelFixtures.TinyCnnGap(seed: 9, size: 16);
        var withCam = GradCamTransform.Apply(fixture.Model).Model;
        var samples = QuantizationFixtures.Images(12, 3, 16);
        var options = OneThread with { FloatOutputs = new HashSet<string>(["cam"], StringComparer.Ordinal) };
        var result = ModelQuantizer.Quantize(withCam, samples, [1, 3, 16, 16], options);
        var report = QuantizationValidator.Compare(withCam, result, samples, [1, 3, 16, 16], "logits", "cam", fixture.Labels, threads: 1);

        Assert.Equal(12, report.Samples);
        Assert.Equal(3, report.PerClass.Count);
        Assert.Equal(12, report.PerClass.Sum(c => c.Count));
        Assert.NotNull(report.MeanCamPearson);
        Assert.NotEmpty(report.Layers);
        // Each quantized tensor carries at most a half step of rounding noise on top of what flows in; uniform noise
        // on a range spread over 255 steps gives ≈ 6.02·8 dB minus the peak-to-RMS loss of the signal. Through three
        // quantized stages a tensor keeping less than 20 dB (noise at 10% of the signal amplitude) means a wrong scale.
        Assert.All(report.Layers, l => Assert.True(l.Decibels >= 20, $"{l.Tensor}: {l.Decibels:F1} dB"));
        Assert.True(report.MeanCamPearson >= 0.9, $"CAM correlation {report.MeanCamPearson}");

        // The graph input has nothing quantized upstream, so its accumulated error is its own rounding alone: the
        // emulated x -> round-half-even(x/s)+z -> clamp -> (q-z)*s matches ORT's Q/DQ except where float and double
        // division round a value to opposite sides of a midpoint, a handful of elements at most (far below 0.1 dB).
        var input = report.Layers.Single(l => l.Tensor == "input");
        Assert.InRange(input.LocalDecibels - input.Decibels, -0.1, 0.1);
        Assert.All(report.Layers, l => Assert.False(double.IsNaN(l.LocalDecibels), l.Tensor));
    }

    [Fact]
    public void Excluded_op_types_and_nodes_stay_float()
    {
        var fixture = ModelFixtures.TinyCnnGap(seed: 2, size: 16);
        var firstConv = fixture.Model.Graph.Node.First(n => n.OpType == "Conv").Name;
        var samples = QuantizationFixtures.Images(3, 3, 16);
        var byName = ModelQuantizer.Quantize(fixture.Model, samples, [1, 3, 16, 16],
            OneThread with { ExcludedNodes = new HashSet<string>([firstConv], StringComparer.Ordinal) });
        Assert.Equal(2, byName.QuantizedWeights); // the second Conv and the Gemm
        var conv = byName.Model.Graph.Node.First(n => n.Name == firstConv);
        Assert.Contains(byName.Model.Graph.Initializer, t => t.Name == conv.Input[1] && t.DataType == (int)TensorProto.Types.DataType.Float);

        var byType = ModelQuantizer.Quantize(fixture.Model, samples, [1, 3, 16, 16],
            OneThread with { ExcludedOpTypes = new HashSet<string>(["Conv"], StringComparer.Ordinal) });
        Assert.Equal(1, byType.QuantizedWeights); // only the Gemm
        Assert.Contains(byType.Model.Graph.Node, n => n.OpType == "Gemm" && n.Input[1].EndsWith("_dequantized", StringComparison.Ordinal));
    }

    private const string ReverseModeDifferentiatorPrefix = "gradcam/";

    private static double MaxAbs(ReadOnlySpan<float> values)
    {
        var max = 0.0;
        foreach (var v in values)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }

    private static double SumAbs(ReadOnlySpan<float> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += Math.Abs(v);
        }

        return sum;
    }
}
