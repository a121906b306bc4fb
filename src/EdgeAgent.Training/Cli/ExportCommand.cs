using System.CommandLine;
using EdgeAgent.Training.Export;

namespace EdgeAgent.Training.Cli;

/// <summary>`edge-train export RUN --out PKG [--bundle DIR] [--quantize --calibration DIR]`.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN") { Description = "Run folder written by `edge-train train`" };
        var output = new Option<string>("--out") { Description = "Model package folder to write (model.onnx + manifest.json)", Required = true };
        var bundle = new Option<string?>("--bundle") { Description = "Also write the small bundle (head.onnx, manifest template, metrics) the agent assembles at run time" };
        var name = new Option<string>("--name") { Description = "Model name in the manifest", DefaultValueFactory = _ => "cnn-rnn-resnet18-phantoms" };
        var version = new Option<string>("--version") { Description = "Semantic version in the manifest", DefaultValueFactory = _ => "1.0.0" };
        var metrics = new Option<string?>("--metrics-from") { Description = "Evaluation folder (e.g. RUN/evaluation-DATA) whose metrics go into the manifest; default: the run's test split" };
        var quantize = new Option<bool>("--quantize") { Description = "Write the package's model as int8 (QDQ, EdgeAgent.Onnx's quantizer); needs --calibration" };
        var calibration = new Option<string?>("--calibration") { Description = "Folder of calibration images for --quantize (PNG/JPEG/DICOM, searched recursively)" };
        var command = new Command("export", "Export a trained run as ONNX (backbone + head joined), check parity against TorchSharp, and write a model package");
        command.Arguments.Add(run);
        command.Options.Add(output);
        command.Options.Add(bundle);
        command.Options.Add(name);
        command.Options.Add(version);
        command.Options.Add(metrics);
        command.Options.Add(quantize);
        command.Options.Add(calibration);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var calibrationDirectory = parse.GetValue(calibration);
            if (parse.GetValue(quantize) != calibrationDirectory is not null)
            {
                throw new ArgumentException("--quantize and --calibration DIR go together: int8 export needs calibration images, and calibration images are only used to quantize.");
            }

            new PackageExporter(Console.Out).Export(parse.GetValue(run)!, parse.GetValue(output)!, parse.GetValue(bundle), parse.GetValue(name)!, parse.GetValue(version)!, parse.GetValue(metrics), calibrationDirectory);
        }));
        return command;
    }
}
