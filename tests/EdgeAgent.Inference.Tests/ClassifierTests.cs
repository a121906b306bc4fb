using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference.Tests;

public sealed class ClassifierTests
{
    // Tolerance for comparing ONNX Runtime's float32 results with the double-precision reference here:
    // each value passes through a handful of float32 multiply-adds of O(1) magnitudes, so the rounding error is
    // a few ulps of 1 (~1e-7 each); 1e-5 leaves room for a dozen such steps and still catches any wrong weight or layout.
    private const double Tolerance = 1e-5;

    private static Classifier Create(byte[] model, Onnx.Packaging.ModelManifest manifest, int intraOpThreads = 1)
    {
        var factory = new InferenceSessionFactory(new InferenceOptions { IntraOpThreads = intraOpThreads }, new ListLoggerFactory());
        return new Classifier(factory.Create(model, manifest.Name), manifest);
    }

    [Fact]
    public void Probabilities_label_and_cams_match_a_hand_computation()
    {
        using var classifier = Create(TestModels.GapModel(), TestModels.GapManifest());
        var image = RandomImage(seed: 1);

        var diagnosis = classifier.Classify(image);

        var reference = Reference.Compute(image);
        for (var c = 0; c < 3; c++)
        {
            Assert.Equal(reference.Probabilities[c], diagnosis.Probabilities[TestModels.Labels[c]], Tolerance);
            var cam = diagnosis.Cams![TestModels.Labels[c]];
            Assert.Equal(TestModels.Side, cam.Width);
            Assert.Equal(TestModels.Side, cam.Height);
            for (var i = 0; i < cam.Data.Length; i++)
            {
                Assert.Equal(reference.Cams[c][i], cam.Data[i], Tolerance);
            }
        }

        Assert.Equal(TestModels.Labels[Array.IndexOf(reference.Probabilities, reference.Probabilities.Max())], diagnosis.Label);
        Assert.Equal(1.0, diagnosis.Probabilities.Values.Sum(), Tolerance);
        Assert.True(diagnosis.TimingsMs["inference"] > 0);
        Assert.Equal("CPU", diagnosis.Provider);
    }

    [Fact]
    public void Softmax_of_logits_is_used_when_the_model_has_no_probability_output()
    {
        using var classifier = Create(TestModels.GapModel(withProbabilities: false, withCam: false), TestModels.GapManifest(withProbabilities: false, withCam: false));
        var image = RandomImage(seed: 2);

        var diagnosis = classifier.Classify(image);

        var reference = Reference.Compute(image);
        for (var c = 0; c < 3; c++)
        {
            Assert.Equal(reference.Probabilities[c], diagnosis.Probabilities[TestModels.Labels[c]], Tolerance);
        }

        Assert.Null(diagnosis.Cams);
    }

    [Fact]
    public void The_manifest_temperature_divides_the_logits()
    {
        using var classifier = Create(TestModels.GapModel(), TestModels.GapManifest(temperature: 2.5));
        var image = RandomImage(seed: 3);

        var diagnosis = classifier.Classify(image);

        var logits = Reference.Compute(image).Logits;
        var expected = Classifier.Softmax([.. logits.Select(l => (float)l)], 2.5);
        var exp = logits.Select(l => Math.Exp(l / 2.5)).ToArray();
        for (var c = 0; c < 3; c++)
        {
            Assert.Equal(exp[c] / exp.Sum(), diagnosis.Probabilities[TestModels.Labels[c]], Tolerance);
            Assert.Equal(expected[c], diagnosis.Probabilities[TestModels.Labels[c]], Tolerance);
        }
    }

    [Fact]
    public void One_classifier_serves_many_threads_with_the_same_answers_as_one_thread()
    {
        using var classifier = Create(TestModels.GapModel(), TestModels.GapManifest());
        var images = Enumerable.Range(0, 64).Select(RandomImage).ToArray();
        var sequential = images.Select(i => classifier.Classify(i)).ToArray();

        var parallel = new Diagnosis[images.Length];
        Parallel.For(0, images.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = classifier.Classify(images[i]));

        // With one intra-op thread every Run does the same float operations in the same order, so equal inputs give
        // bit-identical outputs; any mix-up between concurrent callers would show up as a different answer.
        for (var i = 0; i < images.Length; i++)
        {
            Assert.Equal(sequential[i].Logits, parallel[i].Logits);
            Assert.Equal(sequential[i].Cams!["covid"].Data, parallel[i].Cams!["covid"].Data);
        }
    }

    [Fact]
    public void Cancelling_stops_a_run_in_progress()
    {
        using var classifier = Create(TestModels.SlowModel(), TestModels.SlowManifest(), intraOpThreads: 1);
        var image = new float[classifier.TensorLength];
        using var cts = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        var running = Task.Run(() =>
        {
            started.Set();
            return classifier.Classify(image, cts.Token);
        });
        // 100 products of 1024×1024 matrices take many seconds on one thread, so 300 ms after the call starts the
        // Run is in progress (the code before Run takes microseconds).
        started.Wait();
        Thread.Sleep(300);
        cts.Cancel();

        var error = Assert.ThrowsAny<OperationCanceledException>(() => running.GetAwaiter().GetResult());
        Assert.True(error.InnerException is OnnxRuntimeException, error.ToString());
    }

    [Fact]
    public void A_wrong_output_name_in_the_manifest_is_named()
    {
        var factory = new InferenceSessionFactory(new InferenceOptions(), new ListLoggerFactory());
        var manifest = TestModels.GapManifest() with { Outputs = new Onnx.Packaging.OutputSpec { Logits = "logits", Cam = "gradcam" } };
        using var session = factory.Create(TestModels.GapModel(), "gap");

        var error = Assert.Throws<ModelContractException>(() => new Classifier(session, manifest, ownsSession: false));

        Assert.Contains("outputs.cam is 'gradcam'", error.Message);
    }

    [Fact]
    public void A_tensor_of_the_wrong_size_is_refused_with_the_expected_shape()
    {
        using var classifier = Create(TestModels.GapModel(), TestModels.GapManifest());

        var error = Assert.Throws<ArgumentException>(() => classifier.Classify(new float[10]));

        Assert.Contains("1x3x8x8", error.Message);
    }

    [Fact]
    public void With_feature_statistics_each_diagnosis_carries_the_mahalanobis_distance_of_its_pooled_features()
    {
        var model = global::Onnx.ModelProto.Parser.ParseFrom(TestModels.GapModel());
        var features = Onnx.Assembly.PooledFeatureOutput.Add(model, "A", Onnx.GradCam.FeatureLayout.Nchw, 4);
        var manifest = TestModels.GapManifest() with { Outputs = TestModels.GapManifest().Outputs with { Features = features } };
        // Class means far apart; one stored component (axis 0, variance 4) and residual variance 1 elsewhere.
        float[][] means = [[0f, 0f, 0f, 0f], [5f, 5f, 5f, 5f], [-5f, 0f, 5f, 0f]];
        var statistics = new Onnx.Packaging.FeatureStatistics(means, [[1f, 0f, 0f, 0f]], [4.0], 1.0);
        var factory = new InferenceSessionFactory(new InferenceOptions { IntraOpThreads = 1 }, new ListLoggerFactory());
        using var classifier = new Classifier(factory.Create(Google.Protobuf.MessageExtensions.ToByteArray(model), manifest.Name), manifest, featureStatistics: statistics);
        var image = RandomImage(seed: 4);

        var diagnosis = classifier.Classify(image);

        var pooled = Reference.Compute(image).Pooled;
        for (var k = 0; k < 4; k++)
        {
            Assert.Equal(pooled[k], diagnosis.Features![k], Tolerance);
        }

        var expected = means.Min(m =>
        {
            var y = pooled.Select((v, j) => v - m[j]).ToArray();
            return (y[0] * y[0] / 4) + y.Skip(1).Sum(v => v * v);
        });
        // Features within 1e-5 of the reference and O(1) in size move d² by at most ~1e-4.
        Assert.Equal(Math.Sqrt(expected), diagnosis.FeatureDistance!.Value, 4);
    }

    [Fact]
    public void Statistics_without_a_features_output_are_a_contract_error()
    {
        var factory = new InferenceSessionFactory(new InferenceOptions { IntraOpThreads = 1 }, new ListLoggerFactory());
        using var session = factory.Create(TestModels.GapModel(), "gap");
        var statistics = new Onnx.Packaging.FeatureStatistics([[0f, 0f, 0f, 0f]], [], [], 1.0);
        var error = Assert.Throws<ModelContractException>(() => new Classifier(session, TestModels.GapManifest(), ownsSession: false, featureStatistics: statistics));
        Assert.Contains("outputs.features", error.Message, StringComparison.Ordinal);
    }

    private static float[] RandomImage(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 3 * TestModels.Side * TestModels.Side).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>The GAP test model evaluated in double precision, straight from its weights.</summary>
    private sealed record Reference(double[] Logits, double[] Probabilities, double[][] Cams, double[] Pooled)
    {
        public static Reference Compute(float[] image)
        {
            const int plane = TestModels.Side * TestModels.Side;
            var a = new double[4, plane];
            for (var k = 0; k < 4; k++)
            {
                for (var p = 0; p < plane; p++)
                {
                    var v = (double)TestModels.ConvBias[k];
                    for (var ch = 0; ch < 3; ch++)
                    {
                        v += TestModels.ConvWeights[k * 3 + ch] * (double)image[ch * plane + p];
                    }

                    a[k, p] = Math.Max(0, v);
                }
            }

            var pooled = new double[4];
            for (var k = 0; k < 4; k++)
            {
                for (var p = 0; p < plane; p++)
                {
                    pooled[k] += a[k, p] / plane;
                }
            }

            var logits = new double[3];
            var cams = new double[3][];
            for (var c = 0; c < 3; c++)
            {
                logits[c] = TestModels.DenseBias[c];
                cams[c] = new double[plane];
                for (var k = 0; k < 4; k++)
                {
                    var mean = 0.0;
                    for (var p = 0; p < plane; p++)
                    {
                        mean += a[k, p];
                        cams[c][p] += TestModels.DenseWeights[c * 4 + k] / plane * a[k, p];
                    }

                    logits[c] += TestModels.DenseWeights[c * 4 + k] * mean / plane;
                }

                cams[c] = [.. cams[c].Select(v => Math.Max(0, v))];
            }

            var exp = logits.Select(Math.Exp).ToArray();
            return new Reference(logits, [.. exp.Select(e => e / exp.Sum())], cams, pooled);
        }
    }
}
