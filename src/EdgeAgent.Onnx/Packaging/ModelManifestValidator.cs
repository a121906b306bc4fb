using System.Globalization;
using System.Text.RegularExpressions;
using EdgeAgent.Onnx.Graph;

namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// Checks every manifest field, then the manifest against model.onnx. The first problem found is thrown as a
/// <see cref="ModelPackageException"/> whose message names the field and shows the offending value.
/// </summary>
public static partial class ModelManifestValidator
{
    public const int SupportedSchemaVersion = 1;

    /// <summary>Largest input side accepted; larger inputs are a mistake on an edge device, not a model.</summary>
    public const int MaxInputSide = 8192;

    public static IReadOnlyList<string> Precisions { get; } = ["fp32", "fp16", "int8"];

    private const string File = ModelManifestJson.FileName;

    /// <summary>Checks the manifest on its own (no model needed).</summary>
    public static void Validate(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.SchemaVersion != SupportedSchemaVersion)
        {
            throw Bad("schemaVersion", $"must be {SupportedSchemaVersion} (got {manifest.SchemaVersion})");
        }

        if (manifest.Name is null || !PackageName().IsMatch(manifest.Name))
        {
            throw Bad("name", $"must be 1-100 letters, digits, '.', '_' or '-' starting with a letter or digit (got {Quote(manifest.Name)})");
        }

        if (!SemanticVersion.TryParse(manifest.Version, out _, out var versionError))
        {
            throw Bad("version", $"must be a semantic version: {versionError}");
        }

        ValidateLabels(manifest.Labels);
        ValidateInput(manifest.Input);
        ValidateOutputs(manifest.Outputs);

        if (manifest.TargetLayer is not null && string.IsNullOrWhiteSpace(manifest.TargetLayer))
        {
            throw Bad("targetLayer", "must be a tensor name or be left out (got an empty string)");
        }

        if (manifest.Outputs.Cam is not null && manifest.TargetLayer is null)
        {
            throw Bad("targetLayer", "is required when outputs.cam is set (the CAM is computed against it)");
        }

        if (manifest.Precision is null || !Precisions.Contains(manifest.Precision))
        {
            throw Bad("precision", $"must be one of {string.Join(", ", Precisions)} (got {Quote(manifest.Precision)})");
        }

        if (manifest.Sha256 is null || !Sha256Hex().IsMatch(manifest.Sha256))
        {
            throw Bad("sha256", $"must be 64 lower-case hexadecimal digits (got {Quote(manifest.Sha256)})");
        }

        if (manifest.Metrics is not null)
        {
            foreach (var (key, value) in manifest.Metrics)
            {
                if (string.IsNullOrWhiteSpace(key))
                {
                    throw Bad("metrics", "has an empty metric name");
                }

                if (!double.IsFinite(value))
                {
                    throw Bad($"metrics.{key}", $"must be a finite number (got {Format(value)})");
                }
            }
        }

        ValidateQuantization(manifest);
        ValidateSafety(manifest.Safety);
        ValidateFeatureDistance(manifest);
        ValidateGoldenImages(manifest);
    }

    /// <summary>Checks that the names the manifest uses exist in the model with compatible types and shapes.</summary>
    public static void ValidateAgainstModel(ModelManifest manifest, OnnxGraphSummary model)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(model);
        const int floatType = 1;
        var input = model.Inputs.FirstOrDefault(i => i.Name == manifest.Input.Name);
        if (input is null || model.InitializerNames.Contains(input.Name))
        {
            var names = model.Inputs.Where(i => !model.InitializerNames.Contains(i.Name)).Select(i => i.Name);
            throw Bad("input.name", $"'{manifest.Input.Name}' is not an input of model.onnx (its inputs: {string.Join(", ", names)})");
        }

        if (input.ElementType != floatType)
        {
            throw Bad("input.name", $"'{input.Name}' must be a float32 tensor in model.onnx (element type {input.ElementType})");
        }

        if (input.Shape is { } shape)
        {
            if (shape.Count != 4)
            {
                throw Bad("input.name", $"'{input.Name}' must be 4-D NCHW in model.onnx (rank {shape.Count})");
            }

            var channels = ChannelCount(manifest.Input.Channels);
            CheckDim(shape[1], channels, "input.channels", $"{manifest.Input.Channels.ToString().ToLowerInvariant()} needs {channels} channel(s)");
            CheckDim(shape[2], manifest.Input.Height, "input.height", $"{manifest.Input.Height}");
            CheckDim(shape[3], manifest.Input.Width, "input.width", $"{manifest.Input.Width}");
        }

        var outputNames = model.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (field, name) in OutputFields(manifest.Outputs))
        {
            if (!outputNames.Contains(name))
            {
                throw Bad(field, $"'{name}' is not an output of model.onnx (its outputs: {string.Join(", ", outputNames)})");
            }
        }

        foreach (var (field, name) in OutputFields(manifest.Outputs).Where(o => o.Field is "outputs.logits" or "outputs.probabilities"))
        {
            var output = model.Outputs.First(o => o.Name == name);
            if (output.Shape is { Count: 2 } scores && scores[1] is { Value: { } classes } && classes != manifest.Labels.Count)
            {
                throw Bad("labels", $"has {manifest.Labels.Count} entries but {field} '{name}' of model.onnx scores {classes} classes");
            }
        }

        if (manifest.TargetLayer is { } target && !model.HasTensor(target))
        {
            throw Bad("targetLayer", $"'{target}' is not a tensor of model.onnx");
        }

        if (!model.Opsets.ContainsKey(string.Empty))
        {
            throw new ModelPackageException("model.onnx", "opset_import", "imports no ai.onnx opset");
        }
    }

    /// <summary>Channels the model input takes for a channel order.</summary>
    public static int ChannelCount(ChannelOrder order) => order == ChannelOrder.Gray ? 1 : 3;

    private static void ValidateLabels(IReadOnlyList<string>? labels)
    {
        if (labels is null || labels.Count < 2)
        {
            throw Bad("labels", $"must list at least 2 classes in score order (got {labels?.Count ?? 0})");
        }

        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            if (string.IsNullOrWhiteSpace(label) || label.Trim() != label || label.Any(char.IsControl) || label.Length > 64)
            {
                throw Bad($"labels[{i}]", $"must be 1-64 printable characters without surrounding spaces (got {Quote(label)})");
            }

            if (seen.TryGetValue(label, out var first))
            {
                throw Bad($"labels[{i}]", $"'{label}' repeats labels[{first}] (labels must be unique, ignoring case)");
            }

            seen[label] = i;
        }
    }

    private static void ValidateInput(InputSpec? input)
    {
        if (input is null)
        {
            throw Bad("input", "is required");
        }

        if (string.IsNullOrWhiteSpace(input.Name))
        {
            throw Bad("input.name", $"must be the model's input tensor name (got {Quote(input.Name)})");
        }

        if (input.Width is < 1 or > MaxInputSide)
        {
            throw Bad("input.width", $"must be a positive integer up to {MaxInputSide} (got {input.Width})");
        }

        if (input.Height is < 1 or > MaxInputSide)
        {
            throw Bad("input.height", $"must be a positive integer up to {MaxInputSide} (got {input.Height})");
        }

        if (!Enum.IsDefined(input.Channels))
        {
            throw Bad("input.channels", $"must be rgb, bgr or gray (got {(int)input.Channels})");
        }

        if (!float.IsFinite(input.Scale) || input.Scale <= 0)
        {
            throw Bad("input.scale", $"must be a positive finite number (got {Format(input.Scale)})");
        }

        var channels = ChannelCount(input.Channels);
        ValidateChannelValues("input.mean", input.Mean, channels, input.Channels, positive: false);
        ValidateChannelValues("input.std", input.Std, channels, input.Channels, positive: true);
    }

    private static void ValidateChannelValues(string field, IReadOnlyList<float>? values, int channels, ChannelOrder order, bool positive)
    {
        if (values is null || values.Count != channels)
        {
            throw Bad(field, $"must have {channels} value(s), one per {order.ToString().ToLowerInvariant()} channel (got {values?.Count ?? 0})");
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (!float.IsFinite(values[i]) || (positive && values[i] <= 0))
            {
                throw Bad($"{field}[{i}]", $"must be a {(positive ? "positive " : string.Empty)}finite number (got {Format(values[i])})");
            }
        }
    }

    private static void ValidateOutputs(OutputSpec? outputs)
    {
        if (outputs is null)
        {
            throw Bad("outputs", "is required");
        }

        if (string.IsNullOrWhiteSpace(outputs.Logits))
        {
            throw Bad("outputs.logits", $"must name the model's class-score output (got {Quote(outputs.Logits)})");
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, name) in OutputFields(outputs, includeEmpty: true))
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw Bad(field, "must be a tensor name or be left out (got an empty string)");
            }

            if (seen.TryGetValue(name, out var other))
            {
                throw Bad(field, $"'{name}' is already used by {other}");
            }

            seen[name] = field;
        }
    }

    private static void ValidateQuantization(ModelManifest manifest)
    {
        if (manifest.Quantization is not { } quantization)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(quantization.Method))
        {
            throw Bad("quantization.method", $"must name the calibration method (got {Quote(quantization.Method)})");
        }

        if (quantization.CalibrationSamples < 0)
        {
            throw Bad("quantization.calibrationSamples", $"must be zero or positive (got {quantization.CalibrationSamples})");
        }

        if (quantization.ActivationType is { } type && type is not ("uint8" or "int8"))
        {
            throw Bad("quantization.activationType", $"must be uint8 or int8 (got {Quote(type)})");
        }
    }

    private static void ValidateSafety(SafetySpec? safety)
    {
        if (safety is null)
        {
            return;
        }

        if (!double.IsFinite(safety.Temperature) || safety.Temperature <= 0)
        {
            throw Bad("safety.temperature", $"must be a positive finite number (got {Format(safety.Temperature)})");
        }

        if (safety.OodThreshold is { } ood && !double.IsFinite(ood))
        {
            throw Bad("safety.oodThreshold", $"must be a finite number (got {Format(ood)})");
        }

        if (safety.ReviewThreshold is { } review)
        {
            if (!double.IsFinite(review))
            {
                throw Bad("safety.reviewThreshold", $"must be a finite number (got {Format(review)})");
            }

            if (safety.OodThreshold is { } limit && review > limit)
            {
                throw Bad("safety.reviewThreshold", $"must not exceed safety.oodThreshold ({Format(review)} > {Format(limit)})");
            }
        }

        if ((safety.OodThreshold is not null || safety.ReviewThreshold is not null) && string.IsNullOrWhiteSpace(safety.OodScore))
        {
            throw Bad("safety.oodScore", "must name the score the thresholds apply to");
        }

        if (safety.ThresholdTpr is { } tpr && !(tpr is >= 0 and <= 1))
        {
            throw Bad("safety.thresholdTpr", $"must be between 0 and 1 (got {Format(tpr)})");
        }
    }

    private static void ValidateFeatureDistance(ModelManifest manifest)
    {
        if (manifest.Safety?.FeatureDistance is not { } spec)
        {
            return;
        }

        if (manifest.Outputs.Features is null)
        {
            throw Bad("safety.featureDistance", "needs outputs.features (the pooled features the distance is measured on)");
        }

        if (spec.File is null || !PackagePaths.IsSafeRelativePath(spec.File))
        {
            throw Bad("safety.featureDistance.file", $"must be a relative path inside the package (got {Quote(spec.File)})");
        }

        if (spec.Sha256 is null || !Sha256Hex().IsMatch(spec.Sha256))
        {
            throw Bad("safety.featureDistance.sha256", $"must be 64 lower-case hex digits (got {Quote(spec.Sha256)})");
        }

        if (!double.IsFinite(spec.OodThreshold) || spec.OodThreshold < 0)
        {
            throw Bad("safety.featureDistance.oodThreshold", $"must be a finite distance ≥ 0 (got {Format(spec.OodThreshold)})");
        }

        if (spec.ReviewThreshold is { } review && (!double.IsFinite(review) || review < 0 || review > spec.OodThreshold))
        {
            throw Bad("safety.featureDistance.reviewThreshold", $"must be a finite distance between 0 and oodThreshold {Format(spec.OodThreshold)} (got {Format(review)})");
        }

        if (spec.ThresholdTpr is { } tpr && !(tpr is >= 0 and <= 1))
        {
            throw Bad("safety.featureDistance.thresholdTpr", $"must be between 0 and 1 (got {Format(tpr)})");
        }
    }

    private static void ValidateGoldenImages(ModelManifest manifest)
    {
        if (manifest.GoldenImages is null)
        {
            return;
        }

        var files = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < manifest.GoldenImages.Count; i++)
        {
            var golden = manifest.GoldenImages[i];
            var prefix = $"goldenImages[{i}]";
            if (golden is null)
            {
                throw Bad(prefix, "must not be null");
            }

            if (!PackagePaths.IsSafeRelativePath(golden.File))
            {
                throw Bad($"{prefix}.file", $"must be a relative path inside the package such as golden/covid-0.png (got {Quote(golden.File)})");
            }

            if (!files.Add(golden.File))
            {
                throw Bad($"{prefix}.file", $"'{golden.File}' is listed twice");
            }

            if (!manifest.Labels.Contains(golden.ExpectedLabel, StringComparer.Ordinal))
            {
                throw Bad($"{prefix}.expectedLabel", $"must be one of the labels (got {Quote(golden.ExpectedLabel)})");
            }

            if (!double.IsFinite(golden.Tolerance) || golden.Tolerance <= 0 || golden.Tolerance > 1)
            {
                throw Bad($"{prefix}.tolerance", $"must be in (0, 1] (got {Format(golden.Tolerance)})");
            }

            if (golden.ExpectedProbabilities is null)
            {
                continue;
            }

            foreach (var (label, probability) in golden.ExpectedProbabilities)
            {
                if (!manifest.Labels.Contains(label, StringComparer.Ordinal))
                {
                    throw Bad($"{prefix}.expectedProbabilities.{label}", "is not one of the labels");
                }

                if (!(probability is >= 0 and <= 1))
                {
                    throw Bad($"{prefix}.expectedProbabilities.{label}", $"must be between 0 and 1 (got {Format(probability)})");
                }
            }
        }
    }

    private static void CheckDim(TensorDim? dim, int expected, string field, string expectedText)
    {
        if (dim is { Value: { } value } && value != expected)
        {
            throw Bad(field, $"does not match model.onnx: the manifest says {expectedText}, the model input has {value}");
        }
    }

    private static IEnumerable<(string Field, string Name)> OutputFields(OutputSpec outputs, bool includeEmpty = false)
    {
        (string Field, string? Name)[] all =
        [
            ("outputs.logits", outputs.Logits),
            ("outputs.probabilities", outputs.Probabilities),
            ("outputs.cam", outputs.Cam),
            ("outputs.features", outputs.Features),
        ];
        foreach (var (field, name) in all)
        {
            if (name is not null && (includeEmpty || name.Length > 0))
            {
                yield return (field, name);
            }
        }
    }

    private static ModelPackageException Bad(string field, string problem) => ModelPackageException.ForField(File, field, problem);

    private static string Quote(string? value) => value is null ? "null" : $"\"{value}\"";

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex PackageName();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
