using System.CommandLine;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Onnx.Quantization;

namespace EdgeAgent.Cli;

/// <summary>
/// `edge-agent model convert PKG --fp16 --out PKG`: a float16 package for CUDA / TensorRT targets (Jetson). Inputs and
/// outputs stay float32; the Grad-CAM subgraph stays float32 and reads float32 casts of the forward tensors.
/// </summary>
internal static class ModelConvertCommand
{
    public static Command Create()
    {
        var package = new Argument<string>("package") { Description = "The fp32 model package (folder or .zip)" };
        var fp16 = new Option<bool>("--fp16") { Description = "Convert the forward pass to float16 (the only conversion so far; required)" };
        var output = new Option<string>("--out") { Description = "The package to write (folder, or a path ending in .zip)", Required = true };
        var command = new Command("convert", "Convert a model package to float16 for GPU targets") { package, fp16, output };
        command.SetAction(parse =>
        {
            if (!parse.GetValue(fp16))
            {
                Console.Error.WriteLine("model convert: say which conversion: --fp16.");
                return 2;
            }

            var outputPath = parse.GetValue(output)!;
            try
            {
                using var source = ModelPackage.Load(parse.GetValue(package)!);
                if (source.Manifest.Precision != "fp32")
                {
                    Console.Error.WriteLine($"model convert: {source.SourcePath} is {source.Manifest.Precision}; convert from the fp32 package.");
                    return 2;
                }

                var model = OnnxModelFile.Load(source.ModelPath);
                var floatOutputs = source.Manifest.Outputs.Cam is { } cam
                    ? new HashSet<string>([cam], StringComparer.Ordinal)
                    : new HashSet<string>(StringComparer.Ordinal);
                var converted = Fp16Converter.Convert(model, floatOutputs);
                var written = DerivedPackageWriter.Write(source, converted, source.Manifest with { Precision = "fp16", Quantization = null }, outputPath);
                var before = new FileInfo(source.ModelPath).Length;
                var after = OnnxModelFile.ToBytes(converted).LongLength;
                Console.WriteLine($"Wrote {Path.GetFullPath(outputPath)} (precision {written.Precision}); model.onnx {before / 1048576.0:F2} MB -> {after / 1048576.0:F2} MB ({(double)after / before:F3}x)");
                return 0;
            }
            catch (Exception ex) when (ex is ModelPackageException or InvalidDataException or IOException)
            {
                Console.Error.WriteLine($"model convert: {ex.Message}");
                return 2;
            }
        });
        return command;
    }
}
