using System.CommandLine;
using EdgeAgent.Hosting;
using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Models;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Cli;

/// <summary>
/// `edge-agent demo`: the whole job with no configuration. The bundled model (or an UNTRAINED fixture), a scratch
/// watch folder filled with synthetic phantoms (PNG and DICOM), the real pipeline, and a table of the results.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the demo's inbox, results, processed and failed (default: a new temp folder)" };
        var count = new Option<int>("--count") { Description = "Phantoms per class and format", DefaultValueFactory = _ => 2 };
        var model = new Option<string>("--model") { Description = "Model package; default: the bundled model" };
        var mqtt = new Option<string>("--mqtt") { Description = "Also publish the results to this broker (e.g. mqtt://127.0.0.1:1883 of `edge-hub serve`) and wait for its acknowledgements" };
        var command = new Command("demo", "Run the agent end to end on synthetic phantoms and print the results") { output, count, model, mqtt };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var root = parse.GetValue(output)?.FullName ?? Path.Combine(Path.GetTempPath(), $"edge-agent-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            return await RunAsync(root, parse.GetValue(model), parse.GetValue(count), Console.Out, Console.Error, cancellationToken, parse.GetValue(mqtt));
        });
        return command;
    }

    internal static async Task<int> RunAsync(
        string root, string? modelPath, int count, TextWriter output, TextWriter error, CancellationToken cancellationToken,
        string? mqttUrl = null, string? modelCache = null)
    {
        var modelFolder = modelPath ?? BundledModel.Resolve(output, modelCache);
        var staging = Path.Combine(root, "phantoms");
        var written = SyntheticDatasetWriter.WriteChests(staging, new SyntheticDatasetOptions { CountPerClass = count, Seed = 7, Size = 256 }, cancellationToken)
            .Concat(SyntheticDatasetWriter.WriteChests(Path.Combine(staging, "dicom"), new SyntheticDatasetOptions { CountPerClass = 1, Seed = 8, Size = 256, Format = SyntheticImageFormat.Dicom }, cancellationToken)
                .Select(p => Path.Combine("dicom", p)))
            .ToList();
        // Each phantom's true class is its folder (the file names start with it too).
        var truth = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new List<string>();
        foreach (var relative in written)
        {
            var source = Path.Combine(staging, relative);
            var label = Path.GetFileName(Path.GetDirectoryName(source))!;
            var flat = Path.Combine(staging, Path.GetFileName(source));
            File.Move(source, flat, overwrite: true);
            truth[Path.GetFileName(flat)] = label;
            files.Add(flat);
        }

        var run = new FolderRun
        {
            Root = root,
            ModelPath = modelFolder,
            DrainTimeout = mqttUrl is null ? null : TimeSpan.FromSeconds(60),
            Extra = mqttUrl is null ? null : new Dictionary<string, string?> { ["Mqtt:Url"] = mqttUrl },
        };
        var result = await run.RunAsync(files, error, cancellationToken);
        if (result is null)
        {
            return ExitCodes.Config;
        }

        var untrained = !result.Model.Manifest.Trained;
        output.WriteLine();
        output.WriteLine($"Model: {result.Model.DisplayName} on {result.Model.Classifier.Provider}");
        if (untrained)
        {
            output.WriteLine("*** UNTRAINED MODEL: the predicted labels are meaningless; this demo shows the pipeline, not a diagnosis. ***");
        }
        else if (result.Model.Manifest.Name == BundledModel.BundleName)
        {
            output.WriteLine($"{BundledModel.BundleName} is the bundled CNN-RNN (ResNet18 + LSTM) trained on synthetic phantoms, not on clinical X-rays: it is not for diagnosis.");
        }

        output.WriteLine("Inputs are synthetic phantoms, not clinical data.");
        output.WriteLine();
        var labels = result.Model.Manifest.Labels;
        output.WriteLine($"{"file",-24} {"truth",-10} {"predicted",-10} {string.Join(" ", labels.Select(l => $"{"p(" + l + ")",-13}"))} {"ms",7}  overlay");
        foreach (var outcome in result.Inputs.OrderBy(o => o.FileName, StringComparer.Ordinal))
        {
            var name = outcome.FileName;
            if (outcome.Kind != InputOutcomeKind.Diagnosed)
            {
                output.WriteLine($"{name,-24} {truth.GetValueOrDefault(name, "?"),-10} {outcome.Kind}: {outcome.Reason}");
                continue;
            }

            var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(run.Results, outcome.ResultId + ".json")));
            var root2 = json.RootElement;
            var probabilities = string.Join(" ", labels.Select(l => $"{root2.GetProperty("probabilities").GetProperty(l).GetDouble(),-13:0.000}"));
            var ms = root2.GetProperty("timingsMs").GetProperty("total").GetDouble();
            var overlay = File.Exists(Path.Combine(run.Results, outcome.ResultId + ".png")) ? outcome.ResultId + ".png" : "-";
            output.WriteLine($"{name,-24} {truth.GetValueOrDefault(name, "?"),-10} {outcome.Label,-10} {probabilities} {ms,7:0.0}  {overlay}");
            json.Dispose();
        }

        var diagnosed = result.Inputs.Count(o => o.Kind == InputOutcomeKind.Diagnosed);
        output.WriteLine();
        output.WriteLine($"{diagnosed} of {files.Count} diagnosed in {result.Elapsed.TotalSeconds:0.0} s. Results (JSON + overlay PNG): {run.Results}");
        output.WriteLine($"Inputs moved to {Path.Combine(run.Data, "processed")}; refused inputs would be in {Path.Combine(run.Data, "failed")}.");
        if (result.Unsent is { } unsent)
        {
            output.WriteLine(unsent == 0
                ? $"Every result was acknowledged by the broker at {mqttUrl}."
                : $"{unsent} result(s) are still queued in the outbox ({Path.Combine(run.Data, "outbox.db")}): the broker at {mqttUrl} did not acknowledge them within 60 s. `edge-agent run` would keep retrying.");
        }

        return diagnosed == files.Count && result.Unsent is null or 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
