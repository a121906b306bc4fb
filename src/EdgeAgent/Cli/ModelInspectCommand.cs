using System.CommandLine;
using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Cli;

/// <summary>`edge-agent model inspect PKG`: inputs, outputs (marking gradient outputs), target layer and op counts.</summary>
internal static class ModelInspectCommand
{
    public static Command Create()
    {
        var package = new Argument<string>("package") { Description = "A model package (folder or .zip), or a .onnx file" };
        var command = new Command("inspect", "Describe a model package: inputs, outputs, Grad-CAM target, op counts") { package };
        command.SetAction(parse => Run(parse.GetValue(package)!, Console.Out, Console.Error));
        return command;
    }

    internal static int Run(string path, TextWriter output, TextWriter error)
    {
        try
        {
            ModelPackage? pkg = null;
            string modelPath;
            if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                modelPath = path;
            }
            else
            {
                pkg = ModelPackage.Load(path);
                modelPath = pkg.ModelPath;
            }
            using (pkg)
            {
                if (pkg is not null)
                {
                    var m = pkg.Manifest;
                    output.WriteLine($"Package  {m.Name} {m.Version}{(m.Trained ? "" : " (untrained)")}  labels: {string.Join(", ", m.Labels)}  precision: {m.Precision}");
                    output.WriteLine($"Input    {m.Input.Name} {m.Input.Width}x{m.Input.Height} {m.Input.Channels}");
                }
                var d = ModelInspector.Describe(OnnxModelFile.Load(modelPath), pkg?.Manifest);
                output.WriteLine($"Model    {modelPath} (opset {d.Opset}, {d.NodeCount} nodes, {d.GradientNodeCount} of them gradient nodes)");
                output.WriteLine("Inputs");
                foreach (var t in d.Inputs) output.WriteLine($"  {t.Name}: {t.ElementType} [{string.Join(", ", t.Dims)}]");
                output.WriteLine("Outputs");
                foreach (var t in d.Outputs) output.WriteLine($"  {t.Name}: {t.ElementType} [{string.Join(", ", t.Dims)}]{(t.IsGradientOutput ? "  <- gradient output (Grad-CAM)" : "")}");
                output.WriteLine(d.CamOutput is null
                    ? "Grad-CAM  none (run `edge-agent model prepare` to add it)"
                    : $"Grad-CAM  target {d.TargetTensor ?? "?"} ({d.TargetLayout ?? "layout not recorded"}), scores {d.ScoreTensor ?? "?"}, output {d.CamOutput}"
                      + (d.FromManifest ? "  (from manifest.json: the model carries no Grad-CAM metadata)" : ""));
                output.WriteLine("Ops      " + string.Join(", ", d.OpCounts.Select(kv => $"{kv.Key} {kv.Value}")));
                if (d.GradientNodeCount > 0)
                    output.WriteLine("Gradient " + string.Join(", ", d.GradientOpCounts.Select(kv => $"{kv.Key} {kv.Value}")));
            }
            return 0;
        }
        catch (Exception ex) when (ex is InvalidDataException or ModelPackageException or IOException)
        {
            error.WriteLine($"model inspect: {ex.Message}");
            return 2;
        }
    }
}
