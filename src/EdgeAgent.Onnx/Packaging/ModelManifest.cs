using System.Text.Json.Serialization;

namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// manifest.json of a model package: everything model-specific the agent needs.
/// The agent is generic; it learns labels, input layout and output names from here.
/// Properties with a default use "set", not "init": the System.Text.Json source generator drops the
/// initializer of an init-only property missing from the JSON (dotnet/runtime#84484).
/// </summary>
public sealed record ModelManifest
{
    /// <summary>Format version of this manifest; bumped on breaking changes.</summary>
    public int SchemaVersion { get; set; } = 1;
    public required string Name { get; init; }
    /// <summary>Semantic version (MAJOR.MINOR.PATCH[-pre]).</summary>
    public required string Version { get; init; }
    /// <summary>Class labels in the order of the model's score axis.</summary>
    public required IReadOnlyList<string> Labels { get; init; }
    public required InputSpec Input { get; init; }
    public required OutputSpec Outputs { get; init; }
    /// <summary>The feature-map tensor Grad-CAM differentiates against (null when the model has no CAM output).</summary>
    public string? TargetLayer { get; init; }
    /// <summary>fp32, fp16 or int8.</summary>
    public string Precision { get; set; } = "fp32";
    /// <summary>Lower-case hex sha256 of model.onnx.</summary>
    public required string Sha256 { get; init; }
    /// <summary>False for seeded fixtures: the demo and every result say "untrained".</summary>
    public bool Trained { get; init; }
    public string? Description { get; init; }
    /// <summary>Metrics the model was validated with (e.g. "accuracy": 0.97), free-form numbers.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
    /// <summary>How an int8 model was calibrated (method, sample count); null otherwise.</summary>
    public QuantizationInfo? Quantization { get; init; }
    /// <summary>Post-hoc calibration and out-of-distribution settings (clinical safety); null when not fitted.</summary>
    public SafetySpec? Safety { get; init; }
    /// <summary>Images shipped in the package with expected outputs, run as a self-test before a model is used.</summary>
    public IReadOnlyList<GoldenImage>? GoldenImages { get; init; }
}

/// <summary>Channel order of the model input; written "rgb", "bgr", "gray" (read case-insensitively).</summary>
[JsonConverter(typeof(ChannelOrderJsonConverter))]
public enum ChannelOrder { Rgb, Bgr, Gray }

/// <summary>
/// The model input: one NCHW float tensor. A pixel p in [0,255] becomes (p * Scale - Mean[c]) / Std[c].
/// </summary>
public sealed record InputSpec
{
    public required string Name { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public ChannelOrder Channels { get; set; } = ChannelOrder.Rgb;
    public float Scale { get; set; } = 1f / 255f;
    public IReadOnlyList<float> Mean { get; set; } = [0f, 0f, 0f];
    public IReadOnlyList<float> Std { get; set; } = [1f, 1f, 1f];
}

/// <summary>Names of the model outputs the agent reads.</summary>
public sealed record OutputSpec
{
    /// <summary>Pre-softmax class scores [N, K].</summary>
    public required string Logits { get; init; }
    /// <summary>Class probabilities [N, K]; when absent the agent applies softmax to the logits.</summary>
    public string? Probabilities { get; init; }
    /// <summary>Grad-CAM of every class [N, K, H, W]; absent for a model without the gradient subgraph.</summary>
    public string? Cam { get; init; }
    /// <summary>Pooled target-layer features [N, C] for out-of-distribution scoring; optional.</summary>
    public string? Features { get; init; }
}

public sealed record QuantizationInfo
{
    public required string Method { get; init; }
    public required int CalibrationSamples { get; init; }
    public string? ActivationType { get; init; }
    public bool PerChannel { get; init; }
    /// <summary>Name of the folder of calibration images (null when not recorded).</summary>
    public string? CalibrationSource { get; init; }
}

public sealed record SafetySpec
{
    /// <summary>Temperature for calibrated softmax (1 = unchanged).</summary>
    public double Temperature { get; set; } = 1.0;
    /// <summary>Name of the OOD score (e.g. "energy", "mahalanobis").</summary>
    public string? OodScore { get; init; }
    /// <summary>Scores above this are flagged out-of-distribution.</summary>
    public double? OodThreshold { get; init; }
    /// <summary>Scores above this (and below OodThreshold) need review.</summary>
    public double? ReviewThreshold { get; init; }
    /// <summary>True positive rate on validation data the threshold was chosen at.</summary>
    public double? ThresholdTpr { get; init; }
    /// <summary>Mahalanobis distance of the pooled target-layer features; null for packages without the statistics.</summary>
    public FeatureDistanceSpec? FeatureDistance { get; init; }
}

public sealed record GoldenImage
{
    /// <summary>Path inside the package (e.g. "golden/covid-0.png").</summary>
    public required string File { get; init; }
    public required string ExpectedLabel { get; init; }
    public IReadOnlyDictionary<string, double>? ExpectedProbabilities { get; init; }
    /// <summary>Absolute tolerance on each probability.</summary>
    public double Tolerance { get; set; } = 0.02;
}
