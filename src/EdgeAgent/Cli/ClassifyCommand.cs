using System.CommandLine;
using System.Text.Json;
using EdgeAgent.Inference;
using EdgeAgent.Inference.Safety;
using EdgeAgent.Models;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Cli;

/// <summary>`edge-agent classify IMAGE... [--model PKG] [--json]`: one-shot classification.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var images = new Argument<FileInfo[]>("IMAGE") { Description = "PNG, JPEG, BMP, WebP or DICOM files", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Model package (folder or .zip); default: the bundled model" };
        var json = new Option<bool>("--json") { Description = "One JSON object per line per image (with every class's CAM grid when the model has one)" };
        var providers = new Option<string[]>("--providers") { Description = "Execution providers in order of preference (default CPU)", AllowMultipleArgumentsPerToken = true };
        var noGate = new Option<bool>("--no-quality-gate") { Description = "Classify every decodable image, even ones the input-quality gate would refuse (default Safety thresholds)" };
        var command = new Command("classify", "Classify images once and print the result") { images, model, json, providers, noGate };
        command.SetAction(parse => Run(
            parse.GetValue(images)!, parse.GetValue(model), parse.GetValue(json), parse.GetValue(providers), Console.Out, Console.Error,
            parse.GetValue(noGate) ? null : new SafetyOptions()));
        return command;
    }

    /// <param name="safety">Input-quality gate thresholds; null classifies every decodable image (no gate).</param>
    internal static int Run(IReadOnlyList<FileInfo> files, string? modelPath, bool asJson, string[]? providers, TextWriter output, TextWriter error, SafetyOptions? safety = null)
    {
        using var logging = CliLogging.Create();
        var options = new InferenceOptions { Providers = providers is { Length: > 0 } ? [.. providers] : null };
        if (options.Validate("--providers") is { Count: > 0 } problems)
        {
            error.WriteLine(string.Join(Environment.NewLine, problems));
            return Hosting.ExitCodes.Usage;
        }

        LoadedModel loaded;
        try
        {
            var path = modelPath ?? BundledModel.Resolve(error);
            loaded = new ModelLoader(new InferenceSessionFactory(options, logging), logging.CreateLogger<ModelLoader>()).Load(path, warmUp: false);
        }
        catch (Exception ex) when (Hosting.AgentRunner.Describe(ex) is not null || ex is IOException or InvalidOperationException)
        {
            error.WriteLine($"Model error: {ex.Message}");
            return Hosting.ExitCodes.Config;
        }

        using (loaded)
        {
            var preparer = new ImagingPreparer(safety is null ? null : new InputQualityGate(safety));
            if (!asJson && !loaded.Manifest.Trained)
            {
                output.WriteLine($"Model {loaded.DisplayName}: UNTRAINED fixture, the labels below are not diagnoses.");
            }

            var failures = 0;
            foreach (var file in files)
            {
                try
                {
                    var content = File.ReadAllBytes(file.FullName);
                    var image = preparer.Prepare(content, file.Name, loaded.Manifest.Input);
                    if (image.Rejections.Count > 0)
                    {
                        failures++;
                        if (asJson)
                        {
                            WriteRejected(output, file.FullName, image.Rejections);
                        }
                        else
                        {
                            error.WriteLine($"{file.Name}: rejected: {string.Join(" ", image.Rejections)}");
                        }

                        continue;
                    }

                    var diagnosis = loaded.Classifier.Classify(image.Tensor);
                    var assessment = OodAssessor.Assess(diagnosis, loaded.Manifest.Safety);
                    var timings = new Dictionary<string, double> { ["decode"] = image.DecodeMs, ["preprocess"] = image.PreprocessMs };
                    foreach (var (stage, ms) in diagnosis.TimingsMs)
                    {
                        timings[stage] = ms;
                    }

                    if (asJson)
                    {
                        WriteJson(output, file.FullName, loaded, diagnosis, assessment, timings);
                    }
                    else
                    {
                        var probabilities = string.Join("  ", diagnosis.Probabilities.Select(p => $"{p.Key} {p.Value:0.000}"));
                        var flag = assessment.Status == SafetyStatus.Ok ? string.Empty : $" [{SafetyAssessment.WireName(assessment.Status)}]";
                        output.WriteLine($"{file.Name}: {diagnosis.Label}{flag} ({probabilities}) in {timings.Values.Sum():0.0} ms");
                    }
                }
                catch (Exception ex) when (ex is ImageRejectedException or IOException or UnauthorizedAccessException)
                {
                    failures++;
                    if (asJson)
                    {
                        WriteError(output, file.FullName, ex.Message);
                    }
                    else
                    {
                        error.WriteLine($"{file.Name}: {ex.Message}");
                    }
                }
            }

            return failures == 0 ? Hosting.ExitCodes.Ok : Hosting.ExitCodes.Failure;
        }
    }

    private static void WriteJson(TextWriter output, string file, LoadedModel model, Diagnosis diagnosis, SafetyAssessment assessment, Dictionary<string, double> timings)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("file", file);
            json.WriteString("label", diagnosis.Label);
            json.WriteString("status", SafetyAssessment.WireName(assessment.Status));
            WriteReasons(json, assessment.Reasons);
            if (assessment.OodScore is { } score)
            {
                json.WriteNumber("oodScore", score);
            }
            else
            {
                json.WriteNull("oodScore");
            }

            if (assessment.FeatureDistance is { } distance)
            {
                json.WriteNumber("featureDistance", distance);
            }

            json.WriteStartObject("probabilities");
            foreach (var (label, p) in diagnosis.Probabilities)
            {
                json.WriteNumber(label, p);
            }

            json.WriteEndObject();
            json.WriteStartObject("timings");
            foreach (var (stage, ms) in timings)
            {
                json.WriteNumber(stage, Math.Round(ms, 3));
            }

            json.WriteEndObject();
            json.WriteStartObject("model");
            json.WriteString("name", model.Manifest.Name);
            json.WriteString("version", model.Manifest.Version);
            json.WriteBoolean("trained", model.Manifest.Trained);
            json.WriteString("provider", diagnosis.Provider);
            json.WriteEndObject();
            if (diagnosis.Cams is { } cams)
            {
                json.WriteStartObject("cams");
                foreach (var (label, cam) in cams)
                {
                    json.WriteStartObject(label);
                    json.WriteNumber("width", cam.Width);
                    json.WriteNumber("height", cam.Height);
                    json.WriteStartArray("data");
                    foreach (var v in cam.Data)
                    {
                        json.WriteNumberValue(v);
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteReasons(Utf8JsonWriter json, IReadOnlyList<string> reasons)
    {
        json.WriteStartArray("reasons");
        foreach (var reason in reasons)
        {
            json.WriteStringValue(reason);
        }

        json.WriteEndArray();
    }

    private static void WriteRejected(TextWriter output, string file, IReadOnlyList<string> reasons)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("file", file);
            json.WriteString("status", SafetyAssessment.WireName(SafetyStatus.Rejected));
            WriteReasons(json, reasons);
            json.WriteNull("oodScore");
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteError(TextWriter output, string file, string message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("file", file);
            json.WriteString("error", message);
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
