using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>The transform on the project's seeded fixtures (GraphBuilder models), checked end to end.</summary>
public sealed class FixtureGradCamTests
{
    // Float32 FD with h = 1e-3 through the fixture head (BatchNorm, Dense, LSTM/GRU): rounding 6e-8 |f| / h
    // ~ 3e-4 for |f| <= 5, truncation negligible; tolerance 3e-3 of max(1, max|J|).
    private const double FdTolerance = 3e-3;

    public static TheoryData<string> Fixtures() => new("tiny-cnn-lstm", "tiny-cnn-gru", "tiny-cnn-gap");

    private static ModelFixture Build(string name) => name switch
    {
        "tiny-cnn-lstm" => ModelFixtures.TinyCnnLstm(seed: 3, size: 16),
        "tiny-cnn-gru" => ModelFixtures.TinyCnnGru(seed: 3, size: 16),
        _ => ModelFixtures.TinyCnnGap(seed: 3, size: 16),
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_gradient_matches_finite_differences_and_outputs_are_unchanged(string name)
    {
        var fixture = Build(name);
        var result = GradCamTransform.Apply(fixture.Model, new GradCamOptions { TargetTensor = fixture.FeatureMapName, GradientOutputName = "grad" });
        Assert.Equal(ModelFixtures.LogitsName, result.ScoreTensor);
        Assert.Equal(ModelFixtures.ProbabilitiesName, result.ProbabilitiesOutput);
        Assert.Equal(fixture.Labels.Count, result.Classes);

        long[] shape = [1, 3, fixture.Height, fixture.Width];
        var image = GradCamTransformTests.RandomImage(shape, 8);
        var outs = GradCamTransformTests.Run(GradCamTransformTests.WithOutputs(result.Model, fixture.FeatureMapName), image, shape,
            "grad", fixture.FeatureMapName, result.CamOutput, ModelFixtures.LogitsName, ModelFixtures.ProbabilitiesName);
        var (grad, a) = (outs[0].Data, outs[1]);
        Assert.Equal(new long[] { 1, fixture.Labels.Count, fixture.Height / 2, fixture.Width / 2 }, outs[2].Shape);
        // the recurrent fixtures reach their LSTM/GRU through MaxPool, Reshape and Transpose: their CAM comes from the
        // time-summed input gradient, checked here against the definition on the full gradient
        Assert.Equal(name != "tiny-cnn-gap", result.ChannelSumShortcut);
        GradCamTransformTests.AssertCamFollowsDefinition(result, grad, a, outs[2].Data);

        var original = GradCamTransformTests.Run(fixture.Model, image, shape, ModelFixtures.LogitsName, ModelFixtures.ProbabilitiesName);
        for (int i = 0; i < 2; i++)
            Assert.True(original[i].Data.Select(v => (float)v).SequenceEqual(outs[3 + i].Data.Select(v => (float)v)), "original outputs changed");

        // The full model's gradient equals the head's own gradient at the same feature map (same nodes, same inputs).
        var head = HeadModel.Extract(fixture.Model, fixture.FeatureMapName, a.Shape, ModelFixtures.LogitsName);
        var headGrad = GradientCheck.Analytic(head, a.Data, a.Shape);
        Assert.Equal(headGrad.Length, grad.Length);
        var gradScale = Math.Max(1, headGrad.Max(Math.Abs));
        Assert.True(headGrad.Zip(grad, (x, y) => Math.Abs(x - y)).Max() / gradScale <= 1e-5, "full-model gradient differs from the head's");
        Assert.Contains(grad, v => Math.Abs(v) > 1e-4);

        // Finite differences need a point away from max-pool ties: ReLU maps hold many exact zeros, and a window
        // whose two largest values lie within h of each other has no usable derivative.
        var point = SeparateWindowMaxima(a.Data, a.Shape, gap: 0.02);
        var analytic = GradientCheck.Analytic(head, point, a.Shape);
        var fd = GradientCheck.FiniteDifferences(head, point, a.Shape, asDouble: false, h: 1e-3);
        var scale = Math.Max(1, fd.Max(Math.Abs));
        var err = fd.Zip(analytic, (x, y) => Math.Abs(x - y)).Max() / scale;
        Assert.True(err <= FdTolerance, $"{name}: gradient vs FD {err:E2}");
    }

    /// <summary>Strictly positive values whose 2x2 (stride 2) window maxima lead the rest of the window by at least <paramref name="gap"/>.</summary>
    internal static double[] SeparateWindowMaxima(double[] data, long[] shape, double gap)
    {
        var rng = new Random(4);
        var point = data.Select(v => Math.Abs(v) + 0.05 + 0.1 * rng.NextDouble()).ToArray();
        var (channels, h, w) = (shape[1], shape[2], shape[3]);
        for (long c = 0; c < channels; c++)
            for (long y = 0; y < h; y += 2)
                for (long x = 0; x < w; x += 2)
                {
                    long[] cells = [(c * h + y) * w + x, (c * h + y) * w + x + 1, (c * h + y + 1) * w + x, (c * h + y + 1) * w + x + 1];
                    var top = cells.MaxBy(i => point[i]);
                    foreach (var i in cells.Where(i => i != top && point[top] - point[i] < gap))
                        point[i] = point[top] - gap - 0.01 * rng.NextDouble();
                }
        return point;
    }

    [Fact]
    public void Default_target_on_fixture_is_the_last_feature_map_on_the_path()
    {
        var fixture = ModelFixtures.TinyCnnLstm(seed: 3, size: 16);
        var result = GradCamTransform.Apply(fixture.Model);
        // The paper head pools "features" once more before the LSTM; that pool output is the last 4-D
        // Conv/activation/pool tensor on the path, so it is the default target.
        var producer = fixture.Model.Graph.Node.First(n => n.Output.Contains(result.TargetTensor));
        Assert.Equal("MaxPool", producer.OpType);
        Assert.Equal(new long[] { 16, 4, 4 }, result.TargetShape.Skip(1));
    }
}
