using EdgeAgent.Onnx.GradCam;
using Onnx;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>Whole-model behaviour of <see cref="GradCamTransform"/>: gradients, CAM definition, untouched outputs.</summary>
public sealed class GradCamTransformTests
{
    // CAM recomputed in double from the graph's own gradient and feature map: the only difference is float32
    // rounding of sums over C*H*W <= a few hundred terms, ~1e-5 relative; 1e-4 leaves a margin.
    private const double CamTolerance = 1e-4;

    // Whole-model finite differences run in float32 (ORT has no float64 LSTM/GRU kernels) with h = 1e-3, small
    // enough not to step over ReLU kinks inside the RNN for these inputs: rounding 6e-8 * |f| / h ~ 3e-4 for
    // |f| <= 5, truncation h^2 |f'''| / 6 ~ 1e-6; tolerance 3e-3 of max(1, max|J|).
    private const double WholeModelFdTolerance = 3e-3;

    [Fact]
    public void Cnn_lstm_gradient_matches_finite_differences_and_cam_follows_the_definition() =>
        CheckModel(WholeModels.CnnLstm(), [1, 1, 8, 8], expectedTargetOp: "MaxPool");

    [Fact]
    public void Cnn_gru_gradient_matches_finite_differences_and_cam_follows_the_definition() =>
        CheckModel(WholeModels.CnnGru(), [1, 1, 8, 8], expectedTargetOp: "MaxPool");

    [Fact]
    public void Model_with_a_hard_coded_batch_of_one_is_probed_with_batch_one() =>
        CheckModel(WholeModels.HardCodedBatch(), [1, 1, 4, 4], expectedTargetOp: "Relu", expectShortcut: false);

    // The CAM from the recurrent layer's time-summed input gradient (through MaxPool, Reshape, Transpose) against
    // the definition computed from the full gradient, which CheckModel also checks against finite differences.
    [Theory]
    [InlineData("LSTM", "forward", 0L)]
    [InlineData("LSTM", "reverse", 1L)]
    [InlineData("LSTM", "bidirectional", 0L)]
    [InlineData("GRU", "bidirectional", 1L)]
    [InlineData("RNN", "forward", 1L)]
    public void Cam_from_the_time_summed_recurrent_input_gradient_follows_the_definition(string op, string direction, long layout)
    {
        var model = WholeModels.CnnRecurrent(op, direction, layout);
        var result = GradCamTransform.Apply(model, new GradCamOptions { GradientOutputName = "grad", TargetTensor = WholeModels.CnnRecurrentTarget });
        Assert.True(result.ChannelSumShortcut);
        long[] shape = [1, 1, 8, 8];
        var outs = Run(WithOutputs(result.Model, result.TargetTensor), RandomImage(shape, 5), shape, "grad", result.TargetTensor, result.CamOutput);
        var (grad, a, cam) = (outs[0].Data, outs[1], outs[2].Data);
        AssertCamFollowsDefinition(result, grad, a, cam);
        Assert.Contains(cam, v => v > 0);

        // the full gradient (the definition's side) against finite differences, at a point without max-pool ties
        var head = HeadModel.Extract(model, result.TargetTensor, a.Shape, result.ScoreTensor);
        var point = FixtureGradCamTests.SeparateWindowMaxima(a.Data, a.Shape, gap: 0.02);
        var analytic = GradientCheck.Analytic(head, point, a.Shape);
        var fd = GradientCheck.FiniteDifferences(head, point, a.Shape, asDouble: false, h: 1e-3);
        var err = fd.Zip(analytic, (x, y) => Math.Abs(x - y)).Max() / Math.Max(1, fd.Max(Math.Abs));
        Assert.True(err <= WholeModelFdTolerance, $"gradient vs FD: {err:E2}");
    }

    [Fact]
    public void Only_the_channel_sum_is_built_when_no_gradient_output_is_asked_for()
    {
        var model = WholeModels.CnnRecurrent("LSTM", "forward", 0);
        var both = GradCamTransform.Apply(model, new GradCamOptions { GradientOutputName = "grad", TargetTensor = WholeModels.CnnRecurrentTarget });
        var camOnly = GradCamTransform.Apply(model, new GradCamOptions { TargetTensor = WholeModels.CnnRecurrentTarget });
        Assert.True(camOnly.ChannelSumShortcut);
        // no route back through the max-pool, and no per-step product with W, when only the CAM is wanted
        Assert.DoesNotContain(camOnly.Model.Graph.Node, n => n.OpType == "ScatterElements");
        Assert.Contains(both.Model.Graph.Node, n => n.OpType == "ScatterElements");
        Assert.True(camOnly.AddedNodeCount < both.AddedNodeCount);
        long[] shape = [2, 1, 8, 8];
        var image = RandomImage(shape, 3);
        var expected = Run(both.Model, image, shape, both.CamOutput)[0].Data;
        var actual = Run(camOnly.Model, image, shape, camOnly.CamOutput)[0].Data;
        // same shortcut nodes in both graphs: identical values
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Tf2onnx_style_nhwc_feature_map_is_detected_and_explained_per_channel()
    {
        var result = CheckModel(WholeModels.Nhwc(), [1, 1, 6, 6], expectedTargetOp: "Relu", expectShortcut: false);
        Assert.Equal(FeatureLayout.Nhwc, result.TargetLayout);
    }

    [Theory]
    [InlineData(17)]
    [InlineData(18)] // ReduceMean takes its axes as an input from opset 18 on
    public void Gap_linear_model_cam_equals_the_closed_form(long opset)
    {
        var (model, weights, channels) = WholeModels.CnnGap(opset);
        var result = GradCamTransform.Apply(model);
        Assert.Equal("features", result.TargetTensor);
        Assert.Equal("logits", result.ScoreTensor);
        Assert.Equal("probabilities", result.ProbabilitiesOutput);
        var image = RandomImage([1, 1, 7, 6], 3);
        var outs = Run(WithOutputs(result.Model, "features"), image, [1, 1, 7, 6], result.CamOutput, "features");
        var (cam, a) = (outs[0].Data, outs[1].Data);
        var (h, w) = (5, 4);
        Assert.Equal(new long[] { 1, WholeModels.Classes, h, w }, outs[0].Shape);
        var maxErr = 0.0;
        var scale = 1.0;
        for (int k = 0; k < WholeModels.Classes; k++)
            for (int p = 0; p < h * w; p++)
            {
                // d logit_k / dA[c,p] = W[k,c] / (H W)  =>  alpha_kc = W[k,c] / (H W)
                var sum = 0.0;
                for (int c = 0; c < channels; c++) sum += weights[k * channels + c] / (h * w) * a[c * h * w + p];
                var expected = Math.Max(0, sum);
                scale = Math.Max(scale, Math.Abs(expected));
                maxErr = Math.Max(maxErr, Math.Abs(expected - cam[k * h * w + p]));
            }
        Assert.True(maxErr / scale <= CamTolerance, $"closed-form CAM error {maxErr / scale:E2}");
        Assert.Contains(cam, v => v > 0);
    }

    [Fact]
    public void Original_outputs_stay_bit_identical()
    {
        foreach (var (model, shape) in new[] { (WholeModels.CnnLstm(), new long[] { 2, 1, 8, 8 }), (WholeModels.CnnGru(), [1, 1, 8, 8]), (WholeModels.CnnGap().Model, [3, 1, 7, 6]) })
        {
            var result = GradCamTransform.Apply(model);
            var outputs = model.Graph.Output.Select(o => o.Name).ToArray();
            var image = RandomImage(shape, 17);
            var before = RunFloat(model, image, shape, outputs);
            var after = RunFloat(result.Model, image, shape, outputs);
            for (int i = 0; i < outputs.Length; i++)
                Assert.True(before[i].AsSpan().SequenceEqual(after[i]), $"output '{outputs[i]}' changed");
        }
    }

    [Fact]
    public void Batch_is_dynamic_and_each_sample_gets_its_own_cam()
    {
        var result = GradCamTransform.Apply(WholeModels.CnnLstm());
        var batch = RandomImage([3, 1, 8, 8], 23);
        var together = Run(result.Model, batch, [3, 1, 8, 8], result.CamOutput)[0];
        Assert.Equal(new long[] { 3, WholeModels.Classes, 4, 4 }, together.Shape);
        var perSample = WholeModels.Classes * 16;
        for (int n = 0; n < 3; n++)
        {
            var alone = Run(result.Model, batch.Skip(n * 64).Take(64).ToArray(), [1, 1, 8, 8], result.CamOutput)[0].Data;
            for (int i = 0; i < perSample; i++)
                Assert.True(Math.Abs(alone[i] - together.Data[n * perSample + i]) <= 1e-5 * Math.Max(1, Math.Abs(alone[i])), $"sample {n} element {i}");
        }
    }

    [Fact]
    public void Target_can_be_chosen_by_name()
    {
        var model = WholeModels.CnnLstm();
        var relu = model.Graph.Node.First(n => n.OpType == "Relu").Output[0];
        var result = GradCamTransform.Apply(model, new GradCamOptions { TargetTensor = relu, CamOutputName = "heat" });
        Assert.Equal(relu, result.TargetTensor);
        var cam = Run(result.Model, RandomImage([1, 1, 8, 8], 2), [1, 1, 8, 8], "heat")[0];
        Assert.Equal(new long[] { 1, WholeModels.Classes, 8, 8 }, cam.Shape);
        Assert.Equal(1, result.DifferentiatedOps["MaxPool"]);
        Assert.Equal(1, result.DifferentiatedOps["LSTM"]);
    }

    [Fact]
    public void Unknown_target_name_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => GradCamTransform.Apply(WholeModels.CnnLstm(), new GradCamOptions { TargetTensor = "nope" }));
        Assert.Contains("'nope'", ex.Message);
    }

    private static GradCamResult CheckModel(ModelProto model, long[] imageShape, string expectedTargetOp, bool expectShortcut = true)
    {
        var result = GradCamTransform.Apply(model, new GradCamOptions { GradientOutputName = "grad" });
        Assert.Equal(expectShortcut, result.ChannelSumShortcut);
        var producer = result.Model.Graph.Node.First(n => n.Output.Contains(result.TargetTensor));
        Assert.Equal(expectedTargetOp, producer.OpType);
        var image = RandomImage(imageShape, 5);
        var outs = Run(WithOutputs(result.Model, result.TargetTensor), image, imageShape, "grad", result.TargetTensor, result.CamOutput);
        var (grad, a, cam) = (outs[0].Data, outs[1], outs[2].Data);

        // gradient vs finite differences on the head (target -> logits)
        var head = HeadModel.Extract(model, result.TargetTensor, a.Shape, result.ScoreTensor);
        var fd = GradientCheck.FiniteDifferences(head, a.Data, a.Shape, asDouble: false, h: 1e-3);
        Assert.Equal(fd.Length, grad.Length);
        var scale = Math.Max(1, fd.Max(Math.Abs));
        var err = fd.Zip(grad, (x, y) => Math.Abs(x - y)).Max() / scale;
        Assert.True(err <= WholeModelFdTolerance, $"gradient vs FD: {err:E2}");
        Assert.Contains(grad, v => Math.Abs(v) > 1e-3);

        AssertCamFollowsDefinition(result, grad, a, cam);
        return result;
    }

    /// <summary>cam = ReLU(sum_c mean_hw(grad) * A), recomputed in double from the graph's own gradient and feature map.</summary>
    internal static void AssertCamFollowsDefinition(GradCamResult result, double[] grad, (double[] Data, long[] Shape) a, double[] cam)
    {
        var nhwc = result.TargetLayout == FeatureLayout.Nhwc;
        var (c, h, w) = nhwc ? (a.Shape[3], a.Shape[1], a.Shape[2]) : (a.Shape[1], a.Shape[2], a.Shape[3]);
        long At(long ch, long y, long x) => nhwc ? (y * w + x) * c + ch : (ch * h + y) * w + x;
        var camScale = 1.0;
        var camErr = 0.0;
        for (long k = 0; k < result.Classes; k++)
        {
            var alpha = new double[c];
            for (long ch = 0; ch < c; ch++)
            {
                for (long y = 0; y < h; y++) for (long x = 0; x < w; x++) alpha[ch] += grad[k * c * h * w + At(ch, y, x)];
                alpha[ch] /= h * w;
            }
            for (long y = 0; y < h; y++)
                for (long x = 0; x < w; x++)
                {
                    var s = 0.0;
                    for (long ch = 0; ch < c; ch++) s += alpha[ch] * a.Data[At(ch, y, x)];
                    var expected = Math.Max(0, s);
                    camScale = Math.Max(camScale, expected);
                    camErr = Math.Max(camErr, Math.Abs(expected - cam[(k * h + y) * w + x]));
                }
        }
        Assert.True(camErr / camScale <= CamTolerance, $"CAM vs definition: {camErr / camScale:E2}");
    }

    internal static double[] RandomImage(long[] shape, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, (int)shape.Aggregate(1L, (x, y) => x * y)).Select(_ => rng.NextDouble()).ToArray();
    }

    internal static ModelProto WithOutputs(ModelProto model, params string[] names)
    {
        var copy = model.Clone();
        foreach (var name in names.Where(n => copy.Graph.Output.All(o => o.Name != n)))
            copy.Graph.Output.Add(new ValueInfoProto { Name = name });
        return copy;
    }

    internal static IReadOnlyList<(double[] Data, long[] Shape)> Run(ModelProto model, double[] image, long[] shape, params string[] outputs)
    {
        using var runner = new OrtRunner(model);
        return runner.Run(new Dictionary<string, (double[], long[])> { [model.Graph.Input[0].Name] = (image, shape) }, false, outputs);
    }

    private static float[][] RunFloat(ModelProto model, double[] image, long[] shape, string[] outputs) =>
        Run(model, image, shape, outputs).Select(o => o.Data.Select(v => (float)v).ToArray()).ToArray();
}
