using System.CommandLine;
using System.Globalization;
using EdgeAgent.Hosting;
using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Models;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Cli;

/// <summary>
/// `edge-agent bench [--model tiny|vgg19|PKG] [--count N] [--max-in-flight N]`: images per second through the real
/// folder pipeline (watcher, settle, decode, preprocess, inference with CAM, overlay, result files, ledger, move) and
/// the process's peak resident memory. Other benchmarks are subcommands of `bench`.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(params Command[] subcommands)
    {
        var model = new Option<string>("--model") { Description = "tiny (CNN-LSTM fixture, 64 px), vgg19 (paper-shaped VGG19-RNN fixture, 224 px) or a package path", DefaultValueFactory = _ => "tiny" };
        var count = new Option<int>("--count") { Description = "Images (phantoms, 512 px PNG)", DefaultValueFactory = _ => 90 };
        var inFlight = new Option<int>("--max-in-flight") { Description = "Input:MaxInFlight", DefaultValueFactory = _ => 2 };
        var threads = new Option<int>("--intra-op-threads") { Description = "Inference:IntraOpThreads (0 = ONNX Runtime default)", DefaultValueFactory = _ => 0 };
        var noOverlays = new Option<bool>("--no-overlays") { Description = "Output:Overlays=false (skip drawing the overlay PNGs)" };
        var command = new Command("bench", "Measure images per second through the folder pipeline and peak memory") { model, count, inFlight, threads, noOverlays };
        foreach (var subcommand in subcommands)
        {
            command.Subcommands.Add(subcommand);
        }

        command.SetAction(async (parse, cancellationToken) =>
            await RunAsync(parse.GetValue(model)!, parse.GetValue(count), parse.GetValue(inFlight), parse.GetValue(threads), !parse.GetValue(noOverlays), Console.Out, Console.Error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string model, int count, int maxInFlight, int threads, bool overlays, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), $"edge-agent-bench-{Environment.ProcessId}");
        try
        {
            var modelPath = model switch
            {
                "tiny" => Fixture(root, FixtureKind.Lstm, output),
                "vgg19" => Fixture(root, FixtureKind.Vgg19, output),
                _ => model,
            };
            var perClass = (count + 2) / 3;
            var staging = Path.Combine(root, "phantoms");
            var files = SyntheticDatasetWriter.WriteChests(staging, new SyntheticDatasetOptions { CountPerClass = perClass, Seed = 11, Size = 512 }, cancellationToken)
                .Take(count)
                .Select(relative =>
                {
                    var source = Path.Combine(staging, relative);
                    var flat = Path.Combine(staging, relative.Replace(Path.DirectorySeparatorChar, '-'));
                    File.Move(source, flat);
                    return flat;
                })
                .ToList();
            var run = new FolderRun
            {
                Root = root,
                ModelPath = modelPath,
                MaxInFlight = maxInFlight,
                SettleTime = TimeSpan.FromMilliseconds(100),
                Extra = new Dictionary<string, string?>
                {
                    ["Inference:IntraOpThreads"] = threads.ToString(CultureInfo.InvariantCulture),
                    ["Output:Overlays"] = overlays ? "true" : "false",
                },
            };
            var rssBefore = ProcessMemory.PeakRssMb();
            var result = await run.RunAsync(files, error, cancellationToken);
            if (result is null)
            {
                return ExitCodes.Config;
            }

            var diagnosed = result.Inputs.Count(o => o.Kind == InputOutcomeKind.Diagnosed);
            var stageMedians = StageMedians(run.Results);
            output.WriteLine($"model            {result.Model.DisplayName} on {result.Model.Classifier.Provider}, CAM {(result.Model.Classifier.HasCam ? "on" : "off")}");
            output.WriteLine($"images           {diagnosed} diagnosed of {files.Count} (512x512 PNG phantoms), Input:MaxInFlight {maxInFlight}, Inference:IntraOpThreads {threads}, overlays {(overlays ? "on" : "off")}, {Environment.ProcessorCount} CPUs");
            output.WriteLine($"wall time        {result.Elapsed.TotalSeconds:0.00} s from the first file dropped to the last input moved (includes one 100 ms settle period)");
            output.WriteLine($"throughput       {diagnosed / result.Elapsed.TotalSeconds:0.00} images/s");
            output.WriteLine($"median per image {string.Join(", ", stageMedians.Select(s => $"{s.Key} {s.Value:0.0} ms"))}");
            output.WriteLine($"peak RSS         {ProcessMemory.PeakRssMb():0} MB (before the run: {rssBefore:0} MB, including fixture generation)");
            return diagnosed == files.Count ? ExitCodes.Ok : ExitCodes.Failure;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Fixture(string root, FixtureKind kind, TextWriter output)
    {
        var folder = Path.Combine(root, "model");
        output.WriteLine($"Writing the seeded UNTRAINED {kind} fixture with its Grad-CAM subgraph to {folder} ...");
        FixturePackages.Write(folder, kind, size: 64);
        return folder;
    }

    private static Dictionary<string, double> StageMedians(string results)
    {
        var byStage = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(results, "*.json"))
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var stage in json.RootElement.GetProperty("timingsMs").EnumerateObject())
            {
                if (!byStage.TryGetValue(stage.Name, out var list))
                {
                    byStage[stage.Name] = list = [];
                }

                list.Add(stage.Value.GetDouble());
            }
        }

        return byStage.ToDictionary(s => s.Key, s => s.Value.Order().ElementAt(s.Value.Count / 2), StringComparer.Ordinal);
    }
}
