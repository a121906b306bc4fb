using System.Diagnostics;
using EdgeAgent.Onnx.Graph;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// Measures what the gradient subgraph costs: the same input through the original model and through the
/// transformed one (all outputs including <c>cam</c>) on the CPU execution provider. Runs alternate between the
/// two sessions so machine load drifts affect both alike; medians of wall time and of process CPU time are reported.
/// On a shared machine only ratios are meaningful, and the CPU-time ratio with one intra-op thread is the one least
/// disturbed by other processes (with more threads, CPU time also counts the thread pool's spin-waits).
/// </summary>
public static class CamOverheadBenchmark
{
    public static CamOverheadMeasurement Measure(
        string name, ModelProto original, GradCamResult transformed, long[] inputShape, int warmup = 2, int runs = 10, int intraOpThreads = 0)
    {
        using var options = BenchmarkSessionOptions.Create(intraOpThreads);
        // Each session owns a thread pool whose threads spin-wait after a Run; with the two sessions alternating on a
        // 2-core machine the idle pool's spinning took cycles from the other's Run and pulled the ratio towards 1 (VGG19-RNN,
        // paired ratios 1.007-1.081 with spinning, 1.146-1.170 without, four runs each; one thread, which has no pool:
        // 1.156). Off for both sessions.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        using var baseline = new InferenceSession(Serialize(original), options);
        using var withCam = new InferenceSession(Serialize(transformed.Model), options);
        var inputName = original.Graph.Input.First(i => original.Graph.Initializer.All(t => t.Name != i.Name)).Name;
        var count = inputShape.Aggregate(1L, (a, b) => a * b);
        var rng = new Random(42);
        var data = new float[count];
        for (long i = 0; i < count; i++) data[i] = (float)rng.NextDouble();
        using var input = OrtValue.CreateTensorValueFromMemory(data, inputShape);
        var baselineOutputs = original.Graph.Output.Select(o => o.Name).ToArray();
        var camOutputs = transformed.Model.Graph.Output.Select(o => o.Name).ToArray();

        float[] cam = [];
        var cpu = (Baseline: new List<double>(), WithCam: new List<double>());
        double Time(InferenceSession session, string[] outputs)
        {
            using var runOptions = new RunOptions();
            var cpuStart = ProcessCpuClock.NowMs();
            var watch = Stopwatch.StartNew();
            using var results = session.Run(runOptions, [inputName], [input], outputs);
            var elapsed = watch.Elapsed.TotalMilliseconds;
            (session == baseline ? cpu.Baseline : cpu.WithCam).Add(ProcessCpuClock.NowMs() - cpuStart);
            var camIndex = Array.IndexOf(outputs, transformed.CamOutput);
            if (camIndex >= 0) cam = results[camIndex].GetTensorDataAsSpan<float>().ToArray();
            return elapsed;
        }

        for (int i = 0; i < warmup; i++)
        {
            Time(baseline, baselineOutputs);
            Time(withCam, camOutputs);
        }
        cpu.Baseline.Clear();
        cpu.WithCam.Clear();
        var a = new List<double>();
        var b = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            // alternate the order too, so neither session always runs on a warm cache
            if (i % 2 == 0)
            {
                a.Add(Time(baseline, baselineOutputs));
                b.Add(Time(withCam, camOutputs));
            }
            else
            {
                b.Add(Time(withCam, camOutputs));
                a.Add(Time(baseline, baselineOutputs));
            }
        }
        var pairs = a.Zip(b, (original, cam) => cam / original).ToList();
        return new CamOverheadMeasurement(name, runs, Median(a), Median(b), transformed.AddedNodeCount, intraOpThreads)
        {
            PairedRatio = Median(pairs),
            Cam = cam,
            OriginalCpuMedianMs = Median(cpu.Baseline),
            WithCamCpuMedianMs = Median(cpu.WithCam),
        };
    }

    // ToByteArray sizes the buffer exactly: a growing MemoryStream would hold up to twice a 0.8 GB model.
    private static byte[] Serialize(ModelProto model) => model.ToByteArray();

    private static double Median(List<double> values)
    {
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
