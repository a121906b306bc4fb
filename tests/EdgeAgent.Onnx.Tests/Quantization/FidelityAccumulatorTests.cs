using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Quantization;
using Onnx;

namespace EdgeAgent.Onnx.Tests.Quantization;

/// <summary>
/// The computation behind `edge-agent bench fidelity`: float vs int8 outputs through real ONNX Runtime sessions
/// (<see cref="QuantizationValidator"/>'s observer) into <see cref="FidelityAccumulator"/>.
/// </summary>
public sealed class FidelityAccumulatorTests
{
    private const int Size = 16;
    private static readonly IReadOnlyList<string> Labels = ModelFixtures.Labels;

    [Fact]
    public void A_model_compared_with_itself_agrees_everywhere_and_its_CAMs_correlate_perfectly()
    {
        var model = CamModel();
        var report = Compare(model, model);

        Assert.Equal(12, report.Samples);
        Assert.Equal(1.0, report.Top1Agreement);
        Assert.Equal(report.FloatAccuracy, report.Int8Accuracy);
        // The same session options and input give bit-identical outputs, and Pearson of a series with itself is
        // cov / sqrt(cov·cov): 1 up to the last bit of the double arithmetic.
        Assert.InRange(report.PredictedClassCam.Mean, 1 - 1e-12, 1 + 1e-12);
        Assert.InRange(report.PredictedClassCamUpsampled.Mean, 1 - 1e-12, 1 + 1e-12);
        Assert.InRange(report.EveryClassCam.Mean, 1 - 1e-12, 1 + 1e-12);
        Assert.Equal(12, report.PredictedClassCam.Count + report.PredictedClassCam.Undefined);
        Assert.NotEmpty(report.PointingGame);
        Assert.All(report.PointingGame, g => Assert.Equal(g.FloatHits, g.Int8Hits));
        Assert.Equal(8, report.PointingGame.Single(g => g.Label == "all").Images); // two lesion classes of three
    }

    [Fact]
    public void A_perturbed_model_lowers_the_CAM_correlation()
    {
        var model = CamModel();
        var perturbed = model.Clone();
        // Noise as large as the weights themselves on the first conv changes every feature map, so no CAM can stay
        // perfectly correlated; a still-identical figure would mean the comparison never looked at the second model.
        var conv = perturbed.Graph.Node.First(n => n.OpType == "Conv");
        var index = perturbed.Graph.Initializer.ToList().FindIndex(t => t.Name == conv.Input[1]);
        var tensor = perturbed.Graph.Initializer[index];
        var weights = OnnxTensors.ToFloats(tensor);
        var random = new Random(5);
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] += (float)((random.NextDouble() - 0.5) * 2 * Math.Abs(weights[i]));
        }

        perturbed.Graph.Initializer[index] = OnnxTensors.FromFloats(tensor.Name, weights, [.. tensor.Dims]);

        var report = Compare(model, perturbed);

        Assert.True(report.PredictedClassCam.Mean < 0.999, $"mean CAM Pearson {report.PredictedClassCam.Mean}");
        Assert.True(report.EveryClassCam.Mean < 0.999, $"every-class CAM Pearson {report.EveryClassCam.Mean}");
        Assert.InRange(report.PredictedClassCam.Mean, -1, 1);
    }

    [Fact]
    public void Counts_agreement_accuracy_and_pointing_hits_as_defined()
    {
        var accumulator = new FidelityAccumulator(Labels, 2, 2, 8, 8);
        var mask = new bool[64];
        mask[0] = true; // lesion in the top-left corner: dilation 8/2/2 = 2 px
        float[] left = [1, 0, 0, 0];  // maximum in the top-left cell
        float[] right = [0, 1, 0, 0]; // maximum in the top-right cell
        float[] Cams(float[] covid) => [.. covid, .. left, .. left];

        // Sample 1: both models say covid (correct), float CAM points at the lesion, int8 CAM does not.
        accumulator.Add(0, mask, new PairedOutputs([3, 1, 0], [2, 1, 0], Cams(left), Cams(right)));
        // Sample 2: float says normal (correct), int8 says pneumonia; no mask.
        accumulator.Add(2, null, new PairedOutputs([0, 1, 3], [0, 3, 1], Cams(left), Cams(left)));

        var report = accumulator.Report();

        Assert.Equal(0.5, report.Top1Agreement);
        Assert.Equal(1.0, report.FloatAccuracy);
        Assert.Equal(0.5, report.Int8Accuracy);
        var covid = Assert.Single(report.PointingGame);
        Assert.Equal(("covid", 1, 1, 0), (covid.Label, covid.Images, covid.FloatHits, covid.Int8Hits));
        // Sample 1's predicted-class CAMs are [1,0,0,0] vs [0,1,0,0]: Pearson -1/3; sample 2's are identical: 1.
        Assert.Equal((-1.0 / 3 + 1) / 2, report.PredictedClassCam.Mean, 12);
    }

    private static ModelProto CamModel()
    {
        var fixture = ModelFixtures.TinyCnnGap(seed: 9, size: Size);
        return GradCamTransform.Apply(fixture.Model).Model;
    }

    /// <summary>Runs both models on 12 labelled images, lesion masks on the covid and pneumonia ones, through the validator.</summary>
    private static FidelityReport Compare(ModelProto reference, ModelProto candidate)
    {
        var samples = QuantizationFixtures.Images(12, 3, Size);
        var asResult = new QuantizationResult
        {
            Model = candidate,
            CalibrationSamples = 0,
            FoldedBatchNorms = 0,
            QuantizedWeights = 0,
            Ranges = new Dictionary<string, TensorRange>(),
            Parameters = new Dictionary<string, QuantizationParameters>(),
            DequantizedActivations = new Dictionary<string, string>(),
        };
        var accumulator = new FidelityAccumulator(Labels, Size / 2, Size / 2, Size, Size);
        QuantizationValidator.Compare(reference, asResult, samples, [1, 3, Size, Size], "logits", "cam", Labels, threads: 1,
            observe: (sample, outputs) => accumulator.Add(sample.Label, sample.Label == 2 ? null : Mask(sample.Label ?? 0), outputs));
        return accumulator.Report();
    }

    /// <summary>A square lesion whose place depends on the class, so hits and misses both occur.</summary>
    private static bool[] Mask(int label)
    {
        var mask = new bool[Size * Size];
        var origin = label * 6;
        for (var y = origin; y < origin + 4; y++)
        {
            for (var x = origin; x < origin + 4; x++)
            {
                mask[(y * Size) + x] = true;
            }
        }

        return mask;
    }
}
