namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// How faithfully an int8 model reproduces its float model's decisions and explanations on labelled images with
/// lesion masks (see <see cref="FidelityAccumulator"/> for the definitions).
/// </summary>
public sealed record FidelityReport
{
    public required int Samples { get; init; }

    /// <summary>Fraction of samples whose top-1 class is the same in both models.</summary>
    public required double Top1Agreement { get; init; }

    /// <summary>Samples with a known label (the accuracy denominators).</summary>
    public required int LabelledSamples { get; init; }

    public required double FloatAccuracy { get; init; }

    public required double Int8Accuracy { get; init; }

    /// <summary>Per class, over the labelled samples.</summary>
    public required IReadOnlyList<ClassAccuracy> PerClass { get; init; }

    /// <summary>Mean Pearson correlation of the float model's predicted class's CAM, float vs int8, on the CAM grid.</summary>
    public required CorrelationSummary PredictedClassCam { get; init; }

    /// <summary>The same, after both CAMs are upsampled bilinearly to the input image (what an overlay shows).</summary>
    public required CorrelationSummary PredictedClassCamUpsampled { get; init; }

    /// <summary>Every class's CAM on the CAM grid, one correlation per (sample, class).</summary>
    public required CorrelationSummary EveryClassCam { get; init; }

    /// <summary>Pointing game per lesion class (true class's CAM), float and int8, plus an "all" row.</summary>
    public required IReadOnlyList<PointingGameScore> PointingGame { get; init; }

    /// <summary>CAM grid and image size the measures above used.</summary>
    public required (int Height, int Width) CamGrid { get; init; }

    public required (int Height, int Width) ImageSize { get; init; }
}

/// <summary>Mean, 5th percentile and minimum of a set of correlations; Undefined counts pairs left out because a side was constant.</summary>
public sealed record CorrelationSummary(double Mean, double Percentile5, double Minimum, int Count, int Undefined);

/// <summary>Pointing-game hits of the float and the int8 CAM on the same images.</summary>
public sealed record PointingGameScore(string Label, int Images, int FloatHits, int Int8Hits)
{
    public double FloatRate => Images == 0 ? double.NaN : (double)FloatHits / Images;

    public double Int8Rate => Images == 0 ? double.NaN : (double)Int8Hits / Images;
}
