using EdgeAgent.Imaging;
using EdgeAgent.Imaging.Preprocessing;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Onnx.Quantization;
using EdgeAgent.Training.Data;
using Onnx;

namespace EdgeAgent.Training.Export;

/// <summary>
/// `edge-train export --quantize --calibration DIR`: the joined float model becomes a static int8
/// QDQ model through EdgeAgent.Onnx's quantizer (the same one `edge-agent model quantize` uses),
/// calibrated on DIR's images preprocessed as the manifest says; the int8 model is then compared
/// with the float one on the run's held-out test images, and the calibration goes into the manifest.
/// </summary>
public static class ExportQuantization
{
    /// <summary>Most held-out images the int8 model is compared on (float and int8 side by side, CAM included).</summary>
    public const int MaxComparisonImages = 60;

    /// <returns>The int8 model, the manifest's quantization record and the float-vs-int8 comparison.</returns>
    public static (ModelProto Model, QuantizationInfo Info, QuantizationValidation Validation) Quantize(
        ModelProto joined, ModelManifest manifest, string calibrationDirectory, IReadOnlyList<ImageSample> heldOut, TextWriter output)
    {
        var spec = manifest.Input;
        long[] inputShape = [1, Preprocessor.ChannelCount(spec), spec.Height, spec.Width];
        float[] Load(string file) => Preprocessor.ToTensor(ImageDecoder.DecodeFile(file), spec);
        var options = new QuantizationOptions
        {
            // The Grad-CAM subgraph and the pooled features (the OOD distance's input) stay float and read
            // the quantized forward's dequantized tensors.
            FloatOutputs = new[] { manifest.Outputs.Cam, manifest.Outputs.Features }.OfType<string>().ToHashSet(StringComparer.Ordinal),
        };
        var images = CalibrationImageFolder.Open(calibrationDirectory, manifest.Labels, Load);
        output.WriteLine($"Quantizing to int8 (QDQ, {options.Method}, {options.Activations} activations, per-channel weights) on {images.Files.Count} calibration image(s) from {images.Root}.");
        var result = ModelQuantizer.Quantize(joined, images.Samples(), inputShape, options);

        // Round-robin over the classes, so a capped comparison still covers each of them.
        var comparison = heldOut.GroupBy(s => s.Label)
            .SelectMany(g => g.Select((sample, rank) => (sample, rank)))
            .OrderBy(x => x.rank).ThenBy(x => x.sample.Label)
            .Take(MaxComparisonImages)
            .Select(x => new CalibrationSample(x.sample.RelativePath, Load(x.sample.FullPath), x.sample.Label))
            .ToList();
        var validation = QuantizationValidator.Compare(joined, result, comparison, inputShape, manifest.Outputs.Logits, manifest.Outputs.Cam, manifest.Labels);
        output.WriteLine($"int8 vs float on {validation.Samples} held-out image(s): top-1 agreement {validation.Top1Agreement:P1}, " +
            string.Join(", ", validation.PerClass.Select(c => $"{c.Label} {c.FloatAccuracy:P0} -> {c.Int8Accuracy:P0}")) +
            (validation.MeanCamPearson is { } r ? $", CAM correlation {r:F3}" : ""));
        var info = new QuantizationInfo
        {
            Method = options.Method.ToString().ToLowerInvariant(),
            CalibrationSamples = result.CalibrationSamples,
            ActivationType = options.Activations.ToString().ToLowerInvariant(),
            PerChannel = options.PerChannel,
            CalibrationSource = Path.GetFileName(images.Root.TrimEnd(Path.DirectorySeparatorChar)),
        };
        return (result.Model, info, validation);
    }
}
