using System.CommandLine;
using System.Text.Json;
using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;

namespace EdgeAgent.Cli;

/// <summary>`edge-agent model inspect PKG`: inputs, outputs (marking gradient outputs), target layer and op counts.</summary>
internal static class ModelInspectCommand
{
    public static Command Create()
    {
        var package = new Argument<string>("package") { Description = "A model package folder, or a .onnx file" };
        var command = new Command("inspect", "Describe a model package: inputs, outputs, Grad-CAM target, op counts") { package };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(package)!;
            var modelPath = Directory.Exists(path) ? Path.Combine(path, "model.onnx") : path;
            if (!File.Exists(modelPath))
            {
                Console.Error.WriteLine($"model inspect: '{modelPath}' does not exist.");
                return 2;
            }
            try
            {
                var d = ModelInspector.Describe(OnnxModelFile.Load(modelPath));
                var manifestPath = Directory.Exists(path) ? Path.Combine(path, "manifest.json") : null;
                if (manifestPath is not null && File.Exists(manifestPath))
                {
                    using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
                    var root = manifest.RootElement;
                    Console.WriteLine($"Package  {Prop(root, "name")} {Prop(root, "version")}  labels: {string.Join(", ", root.TryGetProperty("labels", out var l) ? l.EnumerateArray().Select(e => e.GetString()) : [])}");
                }
                Console.WriteLine($"Model    {modelPath} (opset {d.Opset}, {d.NodeCount} nodes, {d.GradientNodeCount} of them gradient nodes)");
                Console.WriteLine("Inputs");
                foreach (var t in d.Inputs) Console.WriteLine($"  {t.Name}: {t.ElementType} [{string.Join(", ", t.Dims)}]");
                Console.WriteLine("Outputs");
                foreach (var t in d.Outputs) Console.WriteLine($"  {t.Name}: {t.ElementType} [{string.Join(", ", t.Dims)}]{(t.IsGradientOutput ? "  <- gradient output (Grad-CAM)" : "")}");
                Console.WriteLine(d.TargetTensor is null
                    ? "Grad-CAM  none (run `edge-agent model prepare` to add it)"
                    : $"Grad-CAM  target {d.TargetTensor} ({d.TargetLayout}), scores {d.ScoreTensor}, output {d.CamOutput}");
                Console.WriteLine("Ops      " + string.Join(", ", d.OpCounts.Select(kv => $"{kv.Key} {kv.Value}")));
                if (d.GradientNodeCount > 0)
                    Console.WriteLine("Gradient " + string.Join(", ", d.GradientOpCounts.Select(kv => $"{kv.Key} {kv.Value}")));
                return 0;
            }
            catch (InvalidDataException ex)
            {
                Console.Error.WriteLine($"model inspect: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static string Prop(JsonElement root, string name) => root.TryGetProperty(name, out var v) ? v.ToString() : "?";
}
