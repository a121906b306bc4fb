using EdgeAgent.Onnx.GradCam;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Collects float-vs-int8 fidelity one sample at a time (fed by <see cref="QuantizationValidator"/>'s observer):
/// top-1 agreement; accuracy of each model; the Pearson correlation of the CAMs — of the float model's predicted class
/// on the CAM grid and upsampled to the image, and of every class on the grid; and the pointing game of each model
/// (<see cref="GradCam.PointingGame"/>: the true class's CAM upsampled to the image, a hit when its maximum falls
/// inside the lesion mask dilated by half a CAM cell), on every labelled sample whose mask has a lesion.
/// </summary>
public sealed class FidelityAccumulator
{
    private readonly IReadOnlyList<string> labels;
    private readonly int camHeight;
    private readonly int camWidth;
    private readonly int imageHeight;
    private readonly int imageWidth;
    private readonly int dilation;
    private readonly int[] counts;
    private readonly int[] floatCorrect;
    private readonly int[] int8Correct;
    private readonly int[] lesionImages;
    private readonly int[] floatHits;
    private readonly int[] int8Hits;
    private readonly List<double> predicted = [];
    private readonly List<double> predictedUpsampled = [];
    private readonly List<double> everyClass = [];
    private int samples;
    private int agree;
    private int undefinedPredicted;
    private int undefinedUpsampled;
    private int undefinedEvery;

    public FidelityAccumulator(IReadOnlyList<string> labels, int camHeight, int camWidth, int imageHeight, int imageWidth)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(camHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(camWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageWidth);
        this.labels = labels;
        this.camHeight = camHeight;
        this.camWidth = camWidth;
        this.imageHeight = imageHeight;
        this.imageWidth = imageWidth;
        dilation = PointingGame.Dilation(imageWidth, camWidth);
        counts = new int[labels.Count];
        floatCorrect = new int[labels.Count];
        int8Correct = new int[labels.Count];
        lesionImages = new int[labels.Count];
        floatHits = new int[labels.Count];
        int8Hits = new int[labels.Count];
    }

    /// <summary>Adds one sample; <paramref name="mask"/> is the lesion mask at the image size (null or empty: no pointing game).</summary>
    public void Add(int? label, bool[]? mask, PairedOutputs outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.FloatLogits.Length != labels.Count || outputs.Int8Logits.Length != labels.Count)
        {
            throw new ArgumentException($"Expected {labels.Count} logits from each model, got {outputs.FloatLogits.Length} and {outputs.Int8Logits.Length}.", nameof(outputs));
        }

        var floatTop = QuantizationMetrics.ArgMax(outputs.FloatLogits);
        var int8Top = QuantizationMetrics.ArgMax(outputs.Int8Logits);
        samples++;
        agree += floatTop == int8Top ? 1 : 0;
        if (label is { } k && k >= 0 && k < labels.Count)
        {
            counts[k]++;
            floatCorrect[k] += floatTop == k ? 1 : 0;
            int8Correct[k] += int8Top == k ? 1 : 0;
        }

        if (outputs.FloatCam is not { } floatCam || outputs.Int8Cam is not { } int8Cam)
        {
            return;
        }

        var plane = camHeight * camWidth;
        if (floatCam.Length != labels.Count * plane || int8Cam.Length != floatCam.Length)
        {
            throw new ArgumentException($"Expected CAMs of {labels.Count}x{camHeight}x{camWidth} values, got {floatCam.Length} and {int8Cam.Length}.", nameof(outputs));
        }

        for (var c = 0; c < labels.Count; c++)
        {
            Collect(everyClass, ref undefinedEvery, floatCam.AsSpan(c * plane, plane), int8Cam.AsSpan(c * plane, plane));
        }

        var floatPlane = floatCam.AsSpan(floatTop * plane, plane);
        var int8Plane = int8Cam.AsSpan(floatTop * plane, plane);
        Collect(predicted, ref undefinedPredicted, floatPlane, int8Plane);
        Collect(predictedUpsampled, ref undefinedUpsampled, Upsample(floatPlane), Upsample(int8Plane));

        if (label is { } truth && truth >= 0 && truth < labels.Count && mask is not null && mask.Contains(true))
        {
            if (mask.Length != imageHeight * imageWidth)
            {
                throw new ArgumentException($"The lesion mask has {mask.Length} pixels; the image is {imageWidth}x{imageHeight}.", nameof(mask));
            }

            lesionImages[truth]++;
            floatHits[truth] += PointingGame.Hit(Upsample(floatCam.AsSpan(truth * plane, plane)), mask, imageWidth, imageHeight, dilation) ? 1 : 0;
            int8Hits[truth] += PointingGame.Hit(Upsample(int8Cam.AsSpan(truth * plane, plane)), mask, imageWidth, imageHeight, dilation) ? 1 : 0;
        }
    }

    public FidelityReport Report()
    {
        if (samples == 0)
        {
            throw new InvalidOperationException("No samples were compared.");
        }

        var labelled = counts.Sum();
        var games = Enumerable.Range(0, labels.Count).Where(k => lesionImages[k] > 0)
            .Select(k => new PointingGameScore(labels[k], lesionImages[k], floatHits[k], int8Hits[k]))
            .ToList();
        if (games.Count > 1)
        {
            games.Add(new PointingGameScore("all", lesionImages.Sum(), floatHits.Sum(), int8Hits.Sum()));
        }

        return new FidelityReport
        {
            Samples = samples,
            Top1Agreement = (double)agree / samples,
            LabelledSamples = labelled,
            FloatAccuracy = labelled == 0 ? double.NaN : (double)floatCorrect.Sum() / labelled,
            Int8Accuracy = labelled == 0 ? double.NaN : (double)int8Correct.Sum() / labelled,
            PerClass = [.. Enumerable.Range(0, labels.Count).Where(k => counts[k] > 0)
                .Select(k => new ClassAccuracy(labels[k], counts[k], (double)floatCorrect[k] / counts[k], (double)int8Correct[k] / counts[k]))],
            PredictedClassCam = Summarize(predicted, undefinedPredicted),
            PredictedClassCamUpsampled = Summarize(predictedUpsampled, undefinedUpsampled),
            EveryClassCam = Summarize(everyClass, undefinedEvery),
            PointingGame = games,
            CamGrid = (camHeight, camWidth),
            ImageSize = (imageHeight, imageWidth),
        };
    }

    private float[] Upsample(ReadOnlySpan<float> cam) => PointingGame.Upsample(cam, camHeight, camWidth, imageHeight, imageWidth);

    private static void Collect(List<double> into, ref int undefined, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var r = QuantizationMetrics.Pearson(a, b);
        if (double.IsNaN(r))
        {
            undefined++; // a constant CAM (e.g. all zero after the ReLU) has no correlation
        }
        else
        {
            into.Add(r);
        }
    }

    private static CorrelationSummary Summarize(List<double> values, int undefined)
    {
        if (values.Count == 0)
        {
            return new CorrelationSummary(double.NaN, double.NaN, double.NaN, 0, undefined);
        }

        var sorted = values.Order().ToList();
        return new CorrelationSummary(values.Average(), sorted[(int)Math.Floor(0.05 * (sorted.Count - 1))], sorted[0], values.Count, undefined);
    }
}
