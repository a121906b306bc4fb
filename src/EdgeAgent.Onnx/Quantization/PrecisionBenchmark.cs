using System.Diagnostics;
using EdgeAgent.Onnx.Graph;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>One model variant's serialized size and median latency.</summary>
public sealed record PrecisionMeasurement(string Label, long ModelBytes, double MedianMs, int Runs);

/// <summary>
/// Latency of several variants of one model (fp32 / int8, with / without CAM) on the CPU provider, measured in
/// one process with the runs interleaved in rotating order so that load drift on a shared machine hits every
/// variant alike. Only ratios between variants are meaningful.
/// </summary>
public static class PrecisionBenchmark
{
    public static IReadOnlyList<PrecisionMeasurement> Measure(
        IReadOnlyList<(string Label, ModelProto Model)> variants, long[] inputShape, int warmup = 2, int runs = 10, int intraOpThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var folder = Path.Combine(Path.GetTempPath(), $"edgeagent-precision-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var sessions = new List<InferenceSession>();
        try
        {
            using var options = BenchmarkSessionOptions.Create(intraOpThreads);
            var sizes = new List<long>();
            var outputs = new List<string[]>();
            for (var v = 0; v < variants.Count; v++)
            {
                // Sessions from files: holding the serialized bytes of a 570 MB model as well would double the peak.
                var path = Path.Combine(folder, $"{v}.onnx");
                OnnxModelFile.Save(variants[v].Model, path);
                sizes.Add(new FileInfo(path).Length);
                sessions.Add(new InferenceSession(path, options));
                outputs.Add([.. variants[v].Model.Graph.Output.Select(o => o.Name)]);
                File.Delete(path);
            }

            var model = variants[0].Model;
            var inputName = model.Graph.Input.First(i => model.Graph.Initializer.All(t => t.Name != i.Name)).Name;
            var data = SmoothImage(inputShape);
            using var input = OrtValue.CreateTensorValueFromMemory(data, inputShape);
            using var runOptions = new RunOptions();

            double Time(int v)
            {
                var watch = Stopwatch.StartNew();
                using var results = sessions[v].Run(runOptions, [inputName], [input], outputs[v]);
                return watch.Elapsed.TotalMilliseconds;
            }

            for (var i = 0; i < warmup; i++)
            {
                for (var v = 0; v < variants.Count; v++)
                {
                    Time(v);
                }
            }

            var times = variants.Select(_ => new List<double>()).ToList();
            for (var i = 0; i < runs; i++)
            {
                for (var k = 0; k < variants.Count; k++)
                {
                    var v = (i + k) % variants.Count;
                    times[v].Add(Time(v));
                }
            }

            return [.. variants.Select((x, v) => new PrecisionMeasurement(x.Label, sizes[v], Median(times[v]), runs))];
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Loads one model file into a session set up as <see cref="Measure"/> sets it up and runs it
    /// <paramref name="runs"/> times on <see cref="SmoothImage"/>, fetching every output: the work whose peak memory a
    /// child process reports (one variant per process, so ONNX Runtime's arena of one variant never counts for another).
    /// </summary>
    public static void RunFile(string modelPath, long[] inputShape, int runs, int intraOpThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        using var options = BenchmarkSessionOptions.Create(intraOpThreads);
        using var session = new InferenceSession(modelPath, options);
        var inputName = session.InputMetadata.Keys.Single();
        var outputs = session.OutputMetadata.Keys.ToArray();
        var data = SmoothImage(inputShape);
        using var input = OrtValue.CreateTensorValueFromMemory(data, inputShape);
        using var runOptions = new RunOptions();
        for (var i = 0; i < runs; i++)
        {
            using var results = session.Run(runOptions, [inputName], [input], outputs);
        }
    }

    /// <summary>The model without some outputs and every node only they needed (e.g. the CAM subgraph).</summary>
    public static ModelProto WithoutOutputs(ModelProto model, IReadOnlySet<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        var copy = model.Clone();
        foreach (var output in copy.Graph.Output.Where(o => outputs.Contains(o.Name)).ToList())
        {
            copy.Graph.Output.Remove(output);
        }

        var needed = copy.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var kept = new List<NodeProto>();
        for (var i = copy.Graph.Node.Count - 1; i >= 0; i--)
        {
            var node = copy.Graph.Node[i];
            if (node.Output.Any(needed.Contains))
            {
                kept.Add(node);
                needed.UnionWith(node.Input.Where(n => n.Length > 0));
            }
        }

        kept.Reverse();
        copy.Graph.Node.Clear();
        copy.Graph.Node.AddRange(kept);
        GraphCleanup.RemoveUnusedInitializers(copy.Graph);
        return copy;
    }

    /// <summary>Deterministic smooth image-like input in [0, 1): a blob, a gradient and mild noise per sample.</summary>
    public static float[] SmoothImage(long[] shape, int seed = 42)
    {
        var random = new Random(seed);
        var count = checked((int)shape.Aggregate(1L, (a, b) => a * b));
        var data = new float[count];
        var height = (int)shape[^2];
        var width = (int)shape[^1];
        var cx = random.NextDouble() * width;
        var cy = random.NextDouble() * height;
        for (var i = 0; i < count; i++)
        {
            var x = i % width;
            var y = i / width % height;
            var blob = Math.Exp(-(((x - cx) * (x - cx)) + ((y - cy) * (y - cy))) / (width * height / 8.0));
            data[i] = (float)Math.Min(0.999, (0.5 * blob) + (0.3 * x / width) + (0.2 * random.NextDouble()));
        }

        return data;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
