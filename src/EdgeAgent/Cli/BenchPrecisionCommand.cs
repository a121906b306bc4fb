using System.CommandLine;
using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Quantization;
using Onnx;

namespace EdgeAgent.Cli;

/// <summary>
/// `edge-agent bench precision [--runs N] [--threads T] [--calibration-images N] [--skip-vgg] [--no-memory]`: fp32 vs
/// int8 (QDQ, CPU provider) in one run, with and without the Grad-CAM subgraph, on the tiny CNN-LSTM and the
/// paper-shaped VGG19-RNN (224x224, LSTM 512, dense 4096x2): median latency, speed-up, size ratio, float-vs-int8
/// fidelity, and each variant's peak memory measured in its own child process (<see cref="VariantMemory"/>).
/// </summary>
internal static class BenchPrecisionCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Timed runs per variant (median reported)", DefaultValueFactory = _ => 10 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0 = runtime default)", DefaultValueFactory = _ => 0 };
        var calibrationImages = new Option<int>("--calibration-images") { Description = "Synthetic calibration images", DefaultValueFactory = _ => 8 };
        var skipVgg = new Option<bool>("--skip-vgg") { Description = "Only the tiny model (the VGG19-RNN needs ~5 GB RAM and minutes)" };
        var noMemory = new Option<bool>("--no-memory") { Description = "Skip the per-variant peak memory (one child process per variant)" };
        var memoryRuns = new Option<int>("--memory-runs") { Description = "Runs of each variant in its memory child process", DefaultValueFactory = _ => 3 };
        var command = new Command("precision", "Compare fp32 and int8 latency, size and CAM fidelity on the CPU execution provider")
        {
            runs, threads, calibrationImages, skipVgg, noMemory, memoryRuns,
        };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(runs);
            var t = parse.GetValue(threads);
            var images = Math.Max(1, parse.GetValue(calibrationImages));
            var memory = parse.GetValue(noMemory) ? 0 : Math.Max(1, parse.GetValue(memoryRuns));
            var fixtures = new List<(Func<ModelFixture> Build, int Runs)> { (() => ModelFixtures.TinyCnnLstm(), Math.Max(n, 50)) };
            if (!parse.GetValue(skipVgg))
            {
                fixtures.Add((() => ModelFixtures.Vgg19Rnn(), n));
            }

            Console.WriteLine($"load average before: {LoadAverage()}");
            foreach (var (build, count) in fixtures)
            {
                Bench(build(), count, t, images, memory);
            }

            Console.WriteLine($"load average after: {LoadAverage()}");
            return 0;
        });
        return command;
    }

    private static void Bench(ModelFixture fixture, int runs, int threads, int images, int memoryRuns)
    {
        long[] shape = [1, fixture.Channels, fixture.Height, fixture.Width];
        var camOnly = new HashSet<string>(["cam"], StringComparer.Ordinal);
        var fp32Cam = GradCamTransform.Apply(fixture.Model, new GradCamOptions { TargetTensor = fixture.FeatureMapName }).Model;
        var samples = Enumerable.Range(0, images)
            .Select(i => new CalibrationSample($"synthetic-{i}", PrecisionBenchmark.SmoothImage(shape, seed: 100 + i)))
            .ToList();
        Console.Error.WriteLine($"{fixture.Name}: calibrating on {images} synthetic image(s)...");
        var quantized = ModelQuantizer.Quantize(fp32Cam, samples, shape,
            new QuantizationOptions { FloatOutputs = camOnly, Threads = threads });
        var int8Cam = quantized.Model;
        var fidelity = QuantizationValidator.Compare(fp32Cam, quantized, samples, shape, fixture.LogitsName, "cam", fixture.Labels, threads);
        var int8 = PrecisionBenchmark.WithoutOutputs(int8Cam, camOnly);
        Console.Error.WriteLine($"{fixture.Name}: timing 4 variants x {runs} runs...");
        IReadOnlyList<(string Label, ModelProto Model)> variants = [("fp32", fixture.Model), ("fp32+cam", fp32Cam), ("int8", int8), ("int8+cam", int8Cam)];
        var m = PrecisionBenchmark.Measure(variants, shape, runs: runs, intraOpThreads: threads);

        Console.WriteLine($"{fixture.Name} ({fixture.ParameterCount:N0} parameters, {runs} runs, threads {threads})");
        Console.WriteLine("  variant      size MB   median ms");
        foreach (var x in m)
        {
            Console.WriteLine($"  {x.Label,-10} {x.ModelBytes / 1048576.0,9:F2} {x.MedianMs,11:F2}");
        }

        Console.WriteLine($"  speed-up int8/fp32 without CAM: {m[0].MedianMs / m[2].MedianMs:F2}x; with CAM: {m[1].MedianMs / m[3].MedianMs:F2}x (target >= 2.5x)");
        Console.WriteLine($"  size int8+cam / fp32+cam: {(double)m[3].ModelBytes / m[1].ModelBytes:F3} (target <= 0.3)");
        Console.WriteLine($"  fidelity on {fidelity.Samples} synthetic image(s): top-1 agreement {fidelity.Top1Agreement:P0}, " +
                          $"mean CAM Pearson {fidelity.MeanCamPearson:F4}, worst layer SQNR {fidelity.Layers[0].Decibels:F1} dB ({fidelity.Layers[0].Tensor})");
        if (memoryRuns > 0)
        {
            Console.Error.WriteLine($"{fixture.Name}: peak memory of each variant in a child process...");
            VariantMemory.Print(VariantMemory.Measure(variants, shape, memoryRuns, threads), memoryRuns, Console.Out);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
