using System.CommandLine;
using EdgeAgent.Hosting;
using EdgeAgent.Imaging;
using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Imaging.Png;
using EdgeAgent.Imaging.Preprocessing;
using EdgeAgent.Models;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Onnx.Quantization;
using Onnx;

namespace EdgeAgent.Cli;

/// <summary>
/// `edge-agent bench fidelity [--model PKG] [--count 500] [--seed 11] [--calibration-count 100] [--calibration-seed 3]
/// [quantization options] [--runs N] [--memory-runs N | --no-memory]`: quantizes a package (default: the bundled trained model)
/// calibrated on phantoms of one seed and compares int8 with fp32 on held-out phantoms of another seed, whose lesion
/// masks are known: top-1 agreement, accuracy of each, CAM correlation, pointing game of each, the worst layers' SQNR,
/// and the latency and peak memory of each variant (fp32, int8, with and without CAM). Prints a table; the targets are reported, not asserted (exit 0 unless an error).
/// </summary>
internal static class BenchFidelityCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Model package with a CAM output (default: the bundled trained model)" };
        var count = new Option<int>("--count") { Description = "Held-out phantoms (classes in turn)", DefaultValueFactory = _ => 500 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the held-out phantoms", DefaultValueFactory = _ => 11UL };
        var calibrationCount = new Option<int>("--calibration-count") { Description = "Calibration phantoms (classes in turn)", DefaultValueFactory = _ => 100 };
        var calibrationSeed = new Option<ulong>("--calibration-seed") { Description = "Seed of the calibration phantoms (must differ from --seed)", DefaultValueFactory = _ => 3UL };
        var size = new Option<int>("--size") { Description = "Phantom size in pixels before the model's own resize (the bundle was trained on 256)", DefaultValueFactory = _ => 256 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0 = runtime default)", DefaultValueFactory = _ => 0 };
        var noMemory = new Option<bool>("--no-memory") { Description = "Skip the per-variant peak memory (child processes)" };
        var memoryRuns = new Option<int>("--memory-runs") { Description = "Runs of each variant in its memory child process", DefaultValueFactory = _ => 5 };
        var runs = new Option<int>("--runs") { Description = "Timed runs per variant for the latency table (0 = skip)", DefaultValueFactory = _ => 10 };
        var layers = new Option<int>("--layers") { Description = "How many of the worst layers by SQNR to list", DefaultValueFactory = _ => 5 };
        var quantization = new QuantizationCliOptions();
        var command = new Command("fidelity", "int8 vs fp32 on held-out phantoms with lesion masks: agreement, accuracy, CAM correlation, pointing game, memory")
        {
            model, count, seed, calibrationCount, calibrationSeed, size, threads, noMemory, memoryRuns, runs, layers,
        };
        quantization.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var settings = new Settings(
                parse.GetValue(model), parse.GetValue(count), parse.GetValue(seed), parse.GetValue(calibrationCount), parse.GetValue(calibrationSeed),
                parse.GetValue(size), parse.GetValue(threads), parse.GetValue(noMemory) ? 0 : Math.Max(1, parse.GetValue(memoryRuns)), Math.Max(0, parse.GetValue(layers)), Math.Max(0, parse.GetValue(runs)));
            return Task.FromResult(Run(settings, parse, quantization, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        });
        return command;
    }

    internal sealed record Settings(string? Model, int Count, ulong Seed, int CalibrationCount, ulong CalibrationSeed, int Size, int Threads, int MemoryRuns, int Layers, int Runs);

    private static int Run(Settings settings, ParseResult parse, QuantizationCliOptions quantization, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (settings.Count <= 0 || settings.CalibrationCount <= 0 || settings.Size < 16)
        {
            error.WriteLine("bench fidelity: --count and --calibration-count must be positive and --size at least 16.");
            return ExitCodes.Usage;
        }

        if (settings.Seed == settings.CalibrationSeed)
        {
            error.WriteLine($"bench fidelity: --seed and --calibration-seed are both {settings.Seed}; held-out phantoms must not be the calibration phantoms.");
            return ExitCodes.Usage;
        }

        try
        {
            var packagePath = settings.Model ?? BundledModel.TryResolveShipped(error, Path.Combine(Path.GetTempPath(), "edge-agent-models"));
            if (packagePath is null)
            {
                error.WriteLine("bench fidelity: no --model given and no bundled trained model found under models/.");
                return ExitCodes.Config;
            }

            using var package = ModelPackage.Load(packagePath);
            var manifest = package.Manifest;
            if (manifest.Outputs.Cam is not { } camOutput)
            {
                error.WriteLine($"bench fidelity: {packagePath} has no CAM output; run `edge-agent model prepare` first.");
                return ExitCodes.Config;
            }

            var fp32 = OnnxModelFile.Load(package.ModelPath);
            var spec = manifest.Input;
            long[] inputShape = [1, Preprocessor.ChannelCount(spec), spec.Height, spec.Width];
            var (camHeight, camWidth) = CamGrid(fp32, camOutput);
            var floatOutputs = new HashSet<string>([camOutput], StringComparer.Ordinal);
            var options = quantization.Build(parse, fp32, floatOutputs) with { Threads = settings.Threads };
            var phantoms = new PhantomSet(new PhantomGenerator(settings.Size), manifest.Labels, spec);

            error.WriteLine($"Quantizing {manifest.Name} {manifest.Version} ({QuantizationCliOptions.Describe(options)}) on {settings.CalibrationCount} calibration phantoms (seed {settings.CalibrationSeed}) ...");
            var quantized = ModelQuantizer.Quantize(fp32, phantoms.Samples(settings.CalibrationSeed, settings.CalibrationCount, masks: null), inputShape, options,
                new ConsoleProgressBar(error, "calibrating", settings.CalibrationCount), cancellationToken);
            error.WriteLine();

            var masks = new Dictionary<string, bool[]>(StringComparer.Ordinal);
            var accumulator = new FidelityAccumulator(manifest.Labels, camHeight, camWidth, spec.Height, spec.Width);
            var validation = QuantizationValidator.Compare(
                fp32, quantized, phantoms.Samples(settings.Seed, settings.Count, masks), inputShape, manifest.Outputs.Logits, camOutput, manifest.Labels,
                settings.Threads, new ConsoleProgressBar(error, "comparing", settings.Count),
                (sample, outputs) => accumulator.Add(sample.Label, masks.Remove(sample.Source, out var mask) ? mask : null, outputs),
                manifest.TargetLayer is { } target ? [target] : null, cancellationToken);
            error.WriteLine();
            var report = accumulator.Report();

            output.WriteLine($"bench fidelity: {manifest.Name} {manifest.Version} ({packagePath})");
            output.WriteLine($"  int8: {QuantizationCliOptions.Describe(options)}; {quantized.CalibrationSamples} calibration phantoms (seed {settings.CalibrationSeed}), " +
                             $"{report.Samples} held-out phantoms (seed {settings.Seed}), {settings.Size} px before the model's resize to {spec.Width}x{spec.Height}");
            Print(report, output);
            output.WriteLine($"  SQNR fp32 vs int8 on the {validation.Samples} held-out phantoms (accumulated from the input; own = this tensor's rounding alone):");
            if (manifest.TargetLayer is { } cam && validation.Layers.FirstOrDefault(l => l.Tensor == cam) is { } targetLayer)
            {
                output.WriteLine($"    {targetLayer.Decibels,7:F1} dB              {cam} (CAM target, float)");
            }

            output.WriteLine($"  worst {Math.Min(settings.Layers, validation.Layers.Count)} quantized tensors:");
            foreach (var layer in validation.Layers.Where(l => !double.IsNaN(l.LocalDecibels)).Take(settings.Layers))
            {
                output.WriteLine($"    {layer.Decibels,7:F1} dB  own {layer.LocalDecibels,5:F1} dB  {layer.Tensor}");
            }

            IReadOnlyList<(string Label, ModelProto Model)> variants =
            [
                ("fp32", PrecisionBenchmark.WithoutOutputs(fp32, floatOutputs)), ("fp32+cam", fp32),
                ("int8", PrecisionBenchmark.WithoutOutputs(quantized.Model, floatOutputs)), ("int8+cam", quantized.Model),
            ];
            if (settings.Runs > 0)
            {
                error.WriteLine($"Timing 4 variants x {settings.Runs} runs (interleaved) ...");
                var m = PrecisionBenchmark.Measure(variants, inputShape, runs: settings.Runs, intraOpThreads: settings.Threads);
                output.WriteLine($"  latency: median of {settings.Runs} interleaved runs, threads {settings.Threads} (ratios only; load average {LoadAverage()})");
                output.WriteLine("  variant      size MB   median ms");
                foreach (var x in m)
                {
                    output.WriteLine($"  {x.Label,-10} {x.ModelBytes / 1048576.0,9:F2} {x.MedianMs,11:F2}");
                }

                output.WriteLine($"  speed-up int8/fp32 without CAM {m[0].MedianMs / m[2].MedianMs:F2}x, with CAM {m[1].MedianMs / m[3].MedianMs:F2}x; size int8+cam/fp32+cam {(double)m[3].ModelBytes / m[1].ModelBytes:F3}");
            }

            if (settings.MemoryRuns > 0)
            {
                error.WriteLine("Measuring peak memory of each variant in a child process ...");
                VariantMemory.Print(VariantMemory.Measure(variants, inputShape, settings.MemoryRuns, settings.Threads, cancellationToken), settings.MemoryRuns, output);
            }

            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is CalibrationDataException or ModelPackageException or InvalidDataException or IOException
                                       or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            error.WriteLine();
            error.WriteLine($"bench fidelity: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>The fidelity table, with each target beside its figure (reported, not asserted).</summary>
    internal static void Print(FidelityReport report, TextWriter output)
    {
        var drop = (report.FloatAccuracy - report.Int8Accuracy) * 100;
        output.WriteLine("  measure                                   fp32       int8     target");
        output.WriteLine($"  top-1 agreement int8 vs fp32                    {report.Top1Agreement,9:P2}   >= 99%      {Met(report.Top1Agreement >= 0.99)}");
        output.WriteLine($"  accuracy ({report.LabelledSamples} labelled)               {report.FloatAccuracy,9:P2}  {report.Int8Accuracy,9:P2}   drop <= 0.5 point ({drop:+0.00;-0.00;0.00}) {Met(drop <= 0.5)}");
        foreach (var c in report.PerClass)
        {
            output.WriteLine($"    {c.Label,-12} n={c.Count,-5}                {c.FloatAccuracy,9:P2}  {c.Int8Accuracy,9:P2}");
        }

        var (h, w) = report.CamGrid;
        var (ih, iw) = report.ImageSize;
        var cam = report.PredictedClassCam;
        output.WriteLine($"  CAM Pearson, predicted class, {h}x{w} grid              {cam.Mean,9:F4}   >= 0.95     {Met(cam.Mean >= 0.95)}");
        output.WriteLine($"    5th percentile {cam.Percentile5:F4}, min {cam.Minimum:F4}; {cam.Count} images, {cam.Undefined} left out (a constant CAM has no correlation)");
        var up = report.PredictedClassCamUpsampled;
        output.WriteLine($"  CAM Pearson, predicted class, {ih}x{iw} bilinear    {up.Mean,9:F4}   (5th percentile {up.Percentile5:F4}, min {up.Minimum:F4})");
        var every = report.EveryClassCam;
        output.WriteLine($"  CAM Pearson, every class, {h}x{w} grid                  {every.Mean,9:F4}   (5th percentile {every.Percentile5:F4}, {every.Count} CAMs, {every.Undefined} left out)");
        foreach (var game in report.PointingGame)
        {
            var gap = Math.Abs(game.FloatRate - game.Int8Rate) * 100;
            output.WriteLine($"  pointing game {game.Label,-10} ({game.Images,3} img) {game.FloatRate,9:P2}  {game.Int8Rate,9:P2}   within 2 points ({gap:F2}) {Met(gap <= 2)}");
        }

        output.WriteLine($"  (pointing game: true class's CAM upsampled bilinearly to {iw}x{ih}, hit when its maximum lies in the lesion mask dilated by half a CAM cell)");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Met(bool met) => met ? "met" : "MISSED";

    private static (int Height, int Width) CamGrid(ModelProto model, string camOutput)
    {
        var output = model.Graph.Output.FirstOrDefault(o => o.Name == camOutput)
            ?? throw new InvalidDataException($"The model has no output '{camOutput}' (the manifest's CAM output).");
        var dims = output.Type?.TensorType?.Shape?.Dim;
        if (dims is null || dims.Count != 4 || dims[2].DimValue <= 0 || dims[3].DimValue <= 0)
        {
            throw new InvalidDataException($"CAM output '{camOutput}' must have a static [N, K, H, W] shape to compare CAMs.");
        }

        return ((int)dims[2].DimValue, (int)dims[3].DimValue);
    }

    /// <summary>
    /// Chest phantoms preprocessed exactly as files in a folder would be (PNG-encoded and decoded, then the manifest's
    /// preprocessing), with the lesion mask at the model's input size (area-averaged, a pixel is lesion when at least
    /// half of it was: as edge-train evaluates).
    /// </summary>
    private sealed class PhantomSet(PhantomGenerator generator, IReadOnlyList<string> labels, InputSpec spec)
    {
        /// <summary>Sample i is of class i mod 3, seeded like `edge-agent synth` seeds image i/3 of that class.</summary>
        public IEnumerable<CalibrationSample> Samples(ulong datasetSeed, int count, Dictionary<string, bool[]>? masks)
        {
            var classes = Enum.GetValues<PhantomClass>();
            for (var i = 0; i < count; i++)
            {
                var phantomClass = classes[i % classes.Length];
                var label = PhantomLabels.Of(phantomClass);
                var index = i / classes.Length;
                var phantom = generator.Generate(phantomClass, SyntheticDatasetWriter.ImageSeed(datasetSeed, label, index));
                var image = ImageDecoder.Decode(PngWriter.Write(phantom.Image), "phantom.png");
                var source = $"{label}-{index:D5}";
                var known = labels.Select((l, k) => (l, k)).FirstOrDefault(p => string.Equals(p.l, label, StringComparison.OrdinalIgnoreCase));
                if (masks is not null && phantom.Mask.Any(m => m != 0))
                {
                    masks[source] = Mask(phantom);
                }

                yield return new CalibrationSample(source, Preprocessor.ToTensor(image, spec), known.l is null ? null : known.k);
            }
        }

        private bool[] Mask(Phantom phantom)
        {
            var plane = phantom.Mask.Select(m => (float)m).ToArray();
            var resized = ImageResizer.ResizePlane(plane, phantom.Image.Width, phantom.Image.Height, 1, spec.Width, spec.Height);
            return [.. resized.Select(p => p >= 127.5f)];
        }
    }
}
