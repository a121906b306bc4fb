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
        command.SetAction(parse =>
        {
            var path = parse.GetValue(package)!;
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
                        Console.WriteLine($"Package  {m.Name} {m.Version}{(m.Trained ? "" : " (untrained)")}  labels: {string.Join(", ", m.Labels)}  precision: {m.Precision}");
                        Console.WriteLine($"Input    {m.Input.Name} {m.Input.Width}x{m.Input.Height} {m.Input.Channels}");
                    }
                    var d = ModelInspector.Describe(OnnxModelFile.Load(modelPath));
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
                }
                return 0;
            }
            catch (Exception ex) when (ex is InvalidDataException or ModelPackageException or IOException)
            {
                Console.Error.WriteLine($"model inspect: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

}
