using System.CommandLine;
using EdgeAgent.Imaging;
using EdgeAgent.Imaging.Preprocessing;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Onnx.Quantization;

namespace EdgeAgent.Cli;

/// <summary>
/// `edge-agent model quantize PKG --calibration DIR --out PKG [--method minmax|percentile|entropy] [--percentile P] [--per-channel true|false]
/// [--activations uint8|int8] [--exclude NAME|OP ...] [--validate DIR] [--max-images N]`: static int8 QDQ quantization
/// calibrated on images preprocessed as the manifest says; prints sizes, the worst layers' SQNR and, with --validate,
/// top-1 agreement, accuracy per class and the float-vs-int8 CAM correlation.
/// </summary>
internal static class ModelQuantizeCommand
{
    public static Command Create()
    {
        var package = new Argument<string>("package") { Description = "The fp32 model package (folder or .zip)" };
        var calibration = new Option<string>("--calibration") { Description = "Folder of calibration images (PNG/JPEG/DICOM, searched recursively)", Required = true };
        var output = new Option<string>("--out") { Description = "The int8 package to write (folder, or a path ending in .zip)", Required = true };
        var quantization = new QuantizationCliOptions();
        var validate = new Option<string?>("--validate") { Description = "Folder of held-out images (sub-folders named after labels give accuracy per class)" };
        var maxImages = new Option<int>("--max-images") { Description = "Use at most this many calibration images (0 = all)", DefaultValueFactory = _ => 0 };
        var command = new Command("quantize", "Quantize a model package to int8 (QDQ) with calibration images")
        {
            package, calibration, output, validate, maxImages,
        };
        quantization.AddTo(command);
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            parse.GetValue(package)!, parse.GetValue(calibration)!, parse.GetValue(output)!, parse, quantization, parse.GetValue(validate),
            parse.GetValue(maxImages), cancellationToken)));
        return command;
    }

    private static int Run(
        string packagePath, string calibrationDir, string outputPath, ParseResult parse, QuantizationCliOptions quantization,
        string? validateDir, int maxImages, CancellationToken cancellationToken)
    {
        try
        {
            using var package = ModelPackage.Load(packagePath);
            var manifest = package.Manifest;
            var model = OnnxModelFile.Load(package.ModelPath);
            var spec = manifest.Input;
            long[] inputShape = [1, Preprocessor.ChannelCount(spec), spec.Height, spec.Width];
            float[] Load(string file) => Preprocessor.ToTensor(ImageDecoder.DecodeFile(file), spec);

            var options = quantization.Build(parse, model,
                manifest.Outputs.Cam is { } cam ? new HashSet<string>([cam], StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal));
            var methodName = options.Method.ToString().ToLowerInvariant();
            var activationName = options.Activations.ToString().ToLowerInvariant();

            var images = CalibrationImageFolder.Open(calibrationDir, manifest.Labels, Load, maxImages);
            var validation = validateDir is null ? null : CalibrationImageFolder.Open(validateDir, manifest.Labels, Load);
            Console.Error.WriteLine($"Calibrating on {images.Files.Count} image(s) from {images.Root} ({QuantizationCliOptions.Describe(options)})");
            var result = ModelQuantizer.Quantize(model, images.Samples(), inputShape, options, Bar("calibrating", images.Files.Count), cancellationToken);
            Console.Error.WriteLine();

            var written = DerivedPackageWriter.Write(package, result.Model, manifest with
            {
                Precision = "int8",
                Quantization = new QuantizationInfo
                {
                    Method = methodName,
                    CalibrationSamples = result.CalibrationSamples,
                    ActivationType = activationName,
                    PerChannel = options.PerChannel,
                },
            }, outputPath);

            var before = new FileInfo(package.ModelPath).Length;
            var after = OnnxModelFile.ToBytes(result.Model).LongLength;
            Console.WriteLine($"Wrote {Path.GetFullPath(outputPath)} (precision {written.Precision}, {result.CalibrationSamples} calibration images)");
            Console.WriteLine($"model.onnx  {before / 1048576.0:F2} MB -> {after / 1048576.0:F2} MB  ({(double)after / before:F3}x)");
            Console.WriteLine($"Folded Conv+BatchNorm pairs: {result.FoldedBatchNorms}; int8 weight tensors: {result.QuantizedWeights}; quantized activations: {result.DequantizedActivations.Count}");

            // SQNR needs float and int8 runs side by side: on the validation set when given, else on up to 16 calibration images.
            var compareSet = validation ?? CalibrationImageFolder.Open(calibrationDir, manifest.Labels, Load, 16);
            var report = QuantizationValidator.Compare(model, result, compareSet.Samples(), inputShape, manifest.Outputs.Logits, manifest.Outputs.Cam,
                manifest.Labels, progress: Bar("comparing", compareSet.Files.Count), cancellationToken: cancellationToken);
            Console.Error.WriteLine();
            Console.WriteLine($"Worst layers by SQNR (float vs int8 on {report.Samples} image(s)):");
            foreach (var layer in report.Layers.Take(5))
            {
                Console.WriteLine($"  {layer.Decibels,7:F1} dB  (own rounding {layer.LocalDecibels,5:F1} dB)  {layer.Tensor}");
            }

            if (validation is not null)
            {
                Console.WriteLine($"Top-1 agreement int8 vs float: {report.Top1Agreement:P2} of {report.Samples}");
                foreach (var c in report.PerClass)
                {
                    Console.WriteLine($"  {c.Label,-12} n={c.Count,5}  float {c.FloatAccuracy:P1}  int8 {c.Int8Accuracy:P1}  ({(c.Int8Accuracy - c.FloatAccuracy) * 100:+0.0;-0.0;0.0} points)");
                }

                Console.WriteLine(report.MeanCamPearson is { } r
                    ? $"Mean Pearson correlation float vs int8 CAM: {r:F4} ({report.CamSamples} image(s))"
                    : "No CAM output in this package (run `edge-agent model prepare` first to measure CAM fidelity).");
            }

            return 0;
        }
        catch (ArgumentException ex) when (ex.ParamName is null)
        {
            Console.Error.WriteLine($"model quantize: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is CalibrationDataException or ModelPackageException or InvalidDataException or IOException or NotSupportedException or InvalidOperationException)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine($"model quantize: {ex.Message}");
            return 2;
        }
    }

    private static ConsoleProgressBar Bar(string what, int total) => new(Console.Error, what, total);
}
