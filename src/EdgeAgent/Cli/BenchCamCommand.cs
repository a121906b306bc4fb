using System.CommandLine;
using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;

namespace EdgeAgent.Cli;

/// <summary>
/// `edge-agent bench cam [--skip-vgg] [--runs N] [--threads T]` (a subcommand of `bench`): cost of the Grad-CAM subgraph, (Run with cam) /
/// (Run of the original), on the CPU provider, for the tiny CNN-LSTM and the paper-shaped VGG19-RNN at 224x224, once with the
/// float32 backward weights, then with <see cref="BackwardWeightStorage.SplitInt8"/> and <see cref="BackwardWeightStorage.Int8"/>, whose CAMs are
/// compared with the float32 one.
/// </summary>
internal static class BenchCamCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Timed runs per model (median reported)", DefaultValueFactory = _ => 10 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0 = runtime default)", DefaultValueFactory = _ => 0 };
        var skipVgg = new Option<bool>("--skip-vgg") { Description = "Only the tiny model (the VGG19-RNN needs ~4 GB RAM and minutes)" };
        var command = new Command("cam", "Measure the Grad-CAM overhead ratio, (Run with cam) / (Run original), on the CPU execution provider") { runs, threads, skipVgg };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(runs);
            var t = parse.GetValue(threads);
            var fixtures = new List<(Func<ModelFixture> Build, int Runs)> { (() => ModelFixtures.TinyCnnLstm(), Math.Max(n, 50)) };
            if (!parse.GetValue(skipVgg)) fixtures.Add((() => ModelFixtures.Vgg19Rnn(), n));
            Console.WriteLine($"intra-op threads: {(t == 0 ? "runtime default" : t.ToString())}; CPU = process CPU time per Run (least disturbed by other load with --threads 1)");
            Console.WriteLine("ratio = median with cam / median original; paired = median of the per-iteration ratios (the two Runs of an iteration back to back)");
            Console.WriteLine("model            backward weights  target shape        runs  original ms  with cam ms  ratio  paired  CPU orig ms  CPU cam ms  CPU ratio  gradient nodes  int8 weights  CAM error");
            foreach (var (build, count) in fixtures)
            {
                var fixture = build();
                float[]? exactCam = null;
                foreach (var storage in new[] { BackwardWeightStorage.Float32, BackwardWeightStorage.SplitInt8, BackwardWeightStorage.Int8 })
                {
                    var result = GradCamTransform.Apply(fixture.Model, new GradCamOptions { TargetTensor = fixture.FeatureMapName, BackwardWeights = storage });
                    var m = CamOverheadBenchmark.Measure(fixture.Name, fixture.Model, result, [1, fixture.Channels, fixture.Height, fixture.Width], runs: count, intraOpThreads: t);
                    exactCam ??= [.. m.Cam];
                    // error of this variant's CAM against the float32 one, relative to the largest CAM value
                    var scale = exactCam.Max(Math.Abs);
                    var error = exactCam.Zip(m.Cam, (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0f).Max() / Math.Max(scale, float.Epsilon);
                    var errorText = storage == BackwardWeightStorage.Float32 ? "-" : result.Int8WeightCopies == 0 ? "(same graph)" : $"{error:E1}";
                    Console.WriteLine($"{m.Model,-16} {storage,-17} {string.Join("x", result.TargetShape.Skip(1)),-18} {m.Runs,5} {m.OriginalMedianMs,12:F2} {m.WithCamMedianMs,12:F2} {m.Ratio,6:F3} {m.PairedRatio,7:F3} {m.OriginalCpuMedianMs,12:F2} {m.WithCamCpuMedianMs,11:F2} {m.CpuRatio,10:F3} {m.AddedNodes,15} {result.Int8WeightCopies,13}  {errorText}");
                    // each variant holds a full copy of the model (0.6-0.8 GB for the VGG19-RNN): free it before the next one
                    result = null;
                    GC.Collect();
                }
            }
            return 0;
        });
        return command;
    }
}
