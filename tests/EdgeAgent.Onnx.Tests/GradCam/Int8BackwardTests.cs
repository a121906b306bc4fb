using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using Onnx;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>
/// <see cref="BackwardWeightStorage.SplitInt8"/> and <see cref="BackwardWeightStorage.Int8"/>: the backward product of a
/// large dense layer read through int8 copies of its weight (two, or one). Pins the rewrite (the MatMulInteger nodes, the
/// float weight read only by the forward node) and its error: a worst-case bound on the product, then finite differences
/// (SplitInt8) and the float32 CAM on whole fixtures.
/// </summary>
public sealed class Int8BackwardTests
{
    // Same FD set-up as FixtureGradCamTests (float32, h = 1e-3): tolerance 3e-3 of max(1, max|J|). The split product's
    // own error (measured ~2e-4 relative, bound below) is an order of magnitude inside it.
    private const double FdTolerance = 3e-3;

    // The gradient at the target is a linear map (the rest of the backward pass, fixed by the forward values) of the
    // dense layer's input gradient, whose error is ~2e-4 of its scale (rms over elements, random weights); alpha and
    // the CAM are linear in the gradient and ReLU is 1-Lipschitz. 1e-3 of the largest value allows the maximum over
    // a few hundred elements to reach ~5x the rms error; the float32 graphs themselves agree to ~1e-6.
    private const double AgainstFloat32Tolerance = 1e-3;

    // Int8: the weight's rounding (uniform, step max|M column| / 63) dominates. Its rms relative to the rms of the product
    // is (W / rms(M column)) / (63 * sqrt 12) per element: <= 2.3e-2 for columns whose largest value is up to 5x their
    // rms (Gaussian columns of a few dozen values: ~2.5x; with the fixtures' outliers: up to ~5x). The gradient at the
    // target is a linear map of the dense layer's input gradient, and its largest element (the scale here) sits ~3x above
    // its rms as does the largest error above the error's rms, so 5e-2 of the largest value allows that once more.
    private const double Int8AgainstFloat32Tolerance = 5e-2;

    [Theory]
    [InlineData(BackwardWeightStorage.SplitInt8, false, 1f)]
    [InlineData(BackwardWeightStorage.SplitInt8, true, 1f)]
    [InlineData(BackwardWeightStorage.SplitInt8, true, 0.5f)]
    [InlineData(BackwardWeightStorage.Int8, false, 1f)]
    [InlineData(BackwardWeightStorage.Int8, true, 0.5f)]
    public void Int8_product_stays_within_its_worst_case_bound(BackwardWeightStorage storage, bool transposed, float alpha)
    {
        var withResidual = storage == BackwardWeightStorage.SplitInt8;
        const int rows = 5, outCols = 48, inner = 40;
        var rng = new Random(7);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        // M [outCols, inner] with a few outliers (trained weights have heavier tails than a Gaussian), stored as the
        // layer holds it; m keeps the float32 values in [outCols, inner] order for the exact product
        var weight = new float[outCols * inner];
        var m = new double[weight.Length];
        for (int o = 0; o < outCols; o++)
            for (int i = 0; i < inner; i++)
            {
                var v = (float)(0.05 * Gauss() * (rng.NextDouble() < 0.02 ? 6 : 1));
                weight[transposed ? i * outCols + o : o * inner + i] = v;
                m[o * inner + i] = v;
            }
        // rows of very different magnitudes, half zeros as behind a ReLU, and one all-zero row
        double[] rowScale = [1, 1e-3, 30, 0, 2];
        var g = new double[rows * outCols];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outCols; o++)
                g[r * outCols + o] = (float)(rng.NextDouble() < 0.5 ? 0 : rowScale[r] * Gauss());

        var graph = new GraphProto();
        graph.Initializer.Add(OnnxTensors.FromFloats("W", weight, transposed ? [inner, outCols] : [outCols, inner]));
        graph.Input.Add(TensorInput("g", rows, outCols));
        var emitter = new GradientGraphEmitter(graph, 17, "t/");
        var product = new Int8BackwardProduct(emitter, graph.Initializer.ToDictionary(t => t.Name), minElements: 1, withResidual);
        var y = product.TryEmit("g", "W", transposed, alpha);
        Assert.NotNull(y);
        emitter.OpTo("y", "Identity", [y!]);
        graph.Output.Add(new ValueInfoProto { Name = "y" });
        Assert.Equal(withResidual ? 2 : 1, graph.Node.Count(n => n.OpType == "MatMulInteger"));
        Assert.DoesNotContain(graph.Node, n => n.Input.Contains("W"));

        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        using var runner = new OrtRunner(model);
        var actual = runner.RunOne("g", g, [rows, outCols], asDouble: false, "y").Data;

        // Worst case per term (docs/gradcam.md): with G = max|g row| and W = max|M column|, the gradient residual's rounding
        // is <= G / (127 * 508). SplitInt8: the weight residual's rounding is <= W / (63 * 252) and the dropped
        // residual x residual term <= (G / 254)(W / 126). Int8: the weight's own rounding is <= W / 126.
        // Float32 scaling and sums add < 1e-6 of sum |g||M|.
        var worst = 0.0;
        var largest = 0.0;
        double squaredError = 0, squaredPredicted = 0;
        for (int r = 0; r < rows; r++)
        {
            var gMax = Enumerable.Range(0, outCols).Max(o => Math.Abs(g[r * outCols + o]));
            for (int i = 0; i < inner; i++)
            {
                var wMax = Enumerable.Range(0, outCols).Max(o => Math.Abs(m[o * inner + i]));
                double exact = 0, bound = 0, magnitude = 0, variance = 0;
                for (int o = 0; o < outCols; o++)
                {
                    var (gv, mv) = (g[r * outCols + o], m[o * inner + i]);
                    exact += gv * mv;
                    magnitude += Math.Abs(gv * mv);
                    variance += gv * gv * Math.Pow(wMax / 63, 2) / 12;
                    bound += gMax / (127.0 * 508) * (Math.Abs(mv) + wMax / 126);
                    bound += withResidual
                        ? (Math.Abs(gv) + gMax / 254) * wMax / (63.0 * 252) + gMax / 254 * (wMax / 126)
                        : Math.Abs(gv) * wMax / 126;
                }
                bound = alpha * (bound + 1e-6 * magnitude);
                var err = Math.Abs(actual[r * inner + i] - alpha * exact);
                Assert.True(err <= bound, $"row {r} column {i}: error {err:E3} above its bound {bound:E3}");
                squaredError += err * err;
                squaredPredicted += alpha * alpha * variance;
                worst = Math.Max(worst, bound);
                largest = Math.Max(largest, Math.Abs(alpha * exact));
            }
        }
        if (withResidual)
        {
            // the bound is tight enough to mean something: well under a percent of the product's scale
            Assert.True(worst / largest < 1e-2, $"bound {worst / largest:E2} of the largest value");
        }
        else
        {
            // Int8's worst case adds |g| W / 126 over all terms; the weights' rounding errors (uniform, step W / 63, var
            // step^2 / 12) are independent, so the rms error should match sqrt(sum g^2 step^2 / 12). Over ~160 non-zero
            // elements that rms is known to ~6 %: 0.5-1.5x rules out both a biased rounding and a graph that never
            // read the int8 copy.
            var ratio = Math.Sqrt(squaredError / squaredPredicted);
            Assert.InRange(ratio, 0.5, 1.5);
        }
        Assert.All(Enumerable.Range(0, inner), i => Assert.Equal(0, actual[3 * inner + i]));
    }

    public static TheoryData<string> Fixtures() => new("tiny-cnn-lstm", "tiny-cnn-gru");

    // the fixtures' first dense layer is 192 x 32 = 6144 elements, the last 32 x 3: only the first gets the int8 copy
    private const long FixtureThreshold = 4096;

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Split_int8_fixture_matches_finite_differences_and_the_float32_cam(string name)
    {
        var (fixture, split, errors, target) = CompareWithFloat32(name, BackwardWeightStorage.SplitInt8);
        // two MatMulInteger per backward pass reading the copy; with a gradient output asked for, the full-gradient
        // pass and the CAM's channel-sum pass both read the one copy
        Assert.True(split.ChannelSumShortcut);
        Assert.Equal(4, split.Model.Graph.Node.Count(n => n.OpType == "MatMulInteger"));
        foreach (var (output, err) in errors)
            Assert.True(err <= AgainstFloat32Tolerance, $"{output}: split int8 vs float32 {err:E2}");

        var head = HeadModel.Extract(fixture.Model, fixture.FeatureMapName, target.Shape, ModelFixtures.LogitsName);
        var point = FixtureGradCamTests.SeparateWindowMaxima(target.Data, target.Shape, gap: 0.02);
        var analytic = GradientCheck.Analytic(head, point, target.Shape, BackwardWeightStorage.SplitInt8, FixtureThreshold);
        var fd = GradientCheck.FiniteDifferences(head, point, target.Shape, asDouble: false, h: 1e-3);
        var fdScale = Math.Max(1, fd.Max(Math.Abs));
        var fdErr = fd.Zip(analytic, (p, q) => Math.Abs(p - q)).Max() / fdScale;
        Assert.True(fdErr <= FdTolerance, $"{name}: split int8 gradient vs FD {fdErr:E2}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Int8_fixture_stays_near_the_float32_gradient_and_cam(string name)
    {
        var (_, int8, errors, _) = CompareWithFloat32(name, BackwardWeightStorage.Int8);
        // one MatMulInteger per backward pass (full gradient and channel sum), both reading the one copy
        Assert.Equal(2, int8.Model.Graph.Node.Count(n => n.OpType == "MatMulInteger"));
        Assert.Single(int8.Model.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Int8);
        foreach (var (output, err) in errors)
        {
            Assert.True(err <= Int8AgainstFloat32Tolerance, $"{output}: int8 vs float32 {err:E2}");
            // and the copy is really used: its rounding shows (a graph reading the float weight would agree to ~1e-6)
            Assert.True(err > 1e-4, $"{output}: int8 vs float32 {err:E2}, no larger than float32 reordering");
        }
    }

    /// <summary>
    /// Prepares the fixture with int8 backward weights and exactly, runs both on one image and checks that the original
    /// outputs are bit-identical. Returns the largest |int8 - float32| / max|float32| of the gradient at the target and of
    /// the CAM, and the target tensor.
    /// </summary>
    private static (ModelFixture Fixture, GradCamResult Int8, (string Output, double Error)[] Errors, (double[] Data, long[] Shape) Target)
        CompareWithFloat32(string name, BackwardWeightStorage storage)
    {
        var fixture = name == "tiny-cnn-lstm" ? ModelFixtures.TinyCnnLstm(seed: 3, size: 16) : ModelFixtures.TinyCnnGru(seed: 3, size: 16);
        var int8 = GradCamTransform.Apply(fixture.Model, new GradCamOptions
        {
            TargetTensor = fixture.FeatureMapName, GradientOutputName = "grad", BackwardWeights = storage, Int8MinElements = FixtureThreshold,
        });
        var exact = GradCamTransform.Apply(fixture.Model, new GradCamOptions { TargetTensor = fixture.FeatureMapName, GradientOutputName = "grad" });
        Assert.Equal(1, int8.Int8WeightCopies);
        Assert.Equal(0, exact.Int8WeightCopies);
        Assert.Equal(storage.ToString(), int8.Model.MetadataProps.Single(p => p.Key == MetadataKeys.BackwardWeights).Value);

        long[] shape = [1, 3, fixture.Height, fixture.Width];
        var image = GradCamTransformTests.RandomImage(shape, 8);
        string[] outputs = ["grad", int8.CamOutput, ModelFixtures.LogitsName, ModelFixtures.ProbabilitiesName];
        var q = GradCamTransformTests.Run(GradCamTransformTests.WithOutputs(int8.Model, fixture.FeatureMapName), image, shape, [.. outputs, fixture.FeatureMapName]);
        var x = GradCamTransformTests.Run(exact.Model, image, shape, outputs);
        for (int i = 2; i < 4; i++)
            Assert.True(x[i].Data.SequenceEqual(q[i].Data), $"original output '{outputs[i]}' changed");
        var errors = new (string, double)[2];
        for (int i = 0; i < 2; i++)
        {
            var scale = x[i].Data.Max(Math.Abs);
            Assert.True(scale > 0, $"{outputs[i]} is all zeros");
            errors[i] = (outputs[i], x[i].Data.Zip(q[i].Data, (a, b) => Math.Abs(a - b)).Max() / scale);
        }

        return (fixture, int8, errors, q[4]);
    }

    [Fact]
    public void Weights_below_the_threshold_keep_the_float32_graph()
    {
        var fixture = ModelFixtures.TinyCnnLstm(seed: 3, size: 16);
        var exact = GradCamTransform.Apply(fixture.Model, new GradCamOptions { TargetTensor = fixture.FeatureMapName });
        var split = GradCamTransform.Apply(fixture.Model, new GradCamOptions { TargetTensor = fixture.FeatureMapName, BackwardWeights = BackwardWeightStorage.SplitInt8 });
        Assert.Equal(0, split.Int8WeightCopies);
        Assert.Equal(exact.Model.Graph.Node.Select(n => n.OpType), split.Model.Graph.Node.Select(n => n.OpType));
        Assert.DoesNotContain(split.Model.MetadataProps, p => p.Key == MetadataKeys.BackwardWeights);
        Assert.Throws<ArgumentException>(() => GradCamTransform.Apply(fixture.Model, new GradCamOptions { Int8MinElements = 0 }));
    }

    private static ValueInfoProto TensorInput(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }
}
