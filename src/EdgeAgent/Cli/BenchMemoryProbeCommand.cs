using System.CommandLine;
using System.Globalization;
using EdgeAgent.Hosting;
using EdgeAgent.Onnx.Quantization;

namespace EdgeAgent.Cli;

/// <summary>
/// Hidden `edge-agent bench memory-probe --model FILE|none --shape 1,3,224,224 [--runs N] [--threads T]`: the child
/// process <see cref="VariantMemory"/> starts once per model variant. It loads one ONNX file into an ONNX Runtime
/// session, runs it, and prints its own peak and final resident memory as one machine-readable line. With
/// `--model none` it only loads ONNX Runtime: the baseline every variant's figure includes.
/// </summary>
internal static class BenchMemoryProbeCommand
{
    public const string Name = "memory-probe";

    /// <summary>The line prefix the parent parses.</summary>
    public const string ResultPrefix = "memory-probe:";

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "ONNX file to load, or none (runtime baseline)", Required = true };
        var shape = new Option<string>("--shape") { Description = "Input shape, comma-separated (e.g. 1,3,224,224)", Required = true };
        var runs = new Option<int>("--runs") { Description = "Runs after loading", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0 = runtime default)", DefaultValueFactory = _ => 0 };
        var command = new Command(Name, "Child process of the memory measurement: load one model, run it, print peak RSS") { model, shape, runs, threads };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var path = parse.GetValue(model)!;
            long[] dims;
            try
            {
                dims = [.. parse.GetValue(shape)!.Split(',').Select(d => long.Parse(d, NumberStyles.None, CultureInfo.InvariantCulture))];
            }
            catch (FormatException)
            {
                Console.Error.WriteLine($"bench {Name}: --shape must be positive integers separated by commas (got '{parse.GetValue(shape)}').");
                return ExitCodes.Usage;
            }

            if (path == "none")
            {
                // Loads the native runtime and its environment without any model.
                _ = Microsoft.ML.OnnxRuntime.OrtEnv.Instance();
                using var options = new Microsoft.ML.OnnxRuntime.SessionOptions();
            }
            else
            {
                PrecisionBenchmark.RunFile(path, dims, Math.Max(1, parse.GetValue(runs)), parse.GetValue(threads));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ResultPrefix} peak_rss_mb={ProcessMemory.PeakRssMb():F1} rss_mb={ProcessMemory.RssMb():F1}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
