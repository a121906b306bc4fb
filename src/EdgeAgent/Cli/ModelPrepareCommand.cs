using System.CommandLine;
using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Cli;

/// <summary>
/// `edge-agent model prepare MODEL.onnx --labels a,b,c --out PKG [--target T] [input spec options]`: appends the
/// Grad-CAM gradient subgraph and writes a model package (a folder, or a zip when PKG ends in .zip) through
/// <see cref="ModelPackageWriter"/>, which hashes and validates it.
/// </summary>
internal static class ModelPrepareCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "The classifier to prepare (.onnx, opset 13 or newer)" };
        model.AcceptExistingOnly();
        var labels = new Option<string>("--labels") { Description = "Class labels in score order, comma-separated (e.g. covid,pneumonia,normal)", Required = true };
        var output = new Option<string>("--out") { Description = "Package to write: a new folder, or a .zip file", Required = true };
        var target = new Option<string?>("--target") { Description = "Feature-map tensor to explain (default: last 4-D Conv/activation/pool output before the scores)" };
        var score = new Option<string?>("--score") { Description = "Pre-softmax score tensor [N, K] (default: the first output, or its Softmax input)" };
        var name = new Option<string?>("--name") { Description = "Model name in the manifest (default: the file name)" };
        var version = new Option<string>("--version") { Description = "Semantic version of the model", DefaultValueFactory = _ => "1.0.0" };
        var width = new Option<int?>("--width") { Description = "Input width (default: from the model input)" };
        var height = new Option<int?>("--height") { Description = "Input height (default: from the model input)" };
        var channels = new Option<ChannelOrder>("--channels") { Description = "Rgb, Bgr or Gray", DefaultValueFactory = _ => ChannelOrder.Rgb };
        var scale = new Option<float>("--scale") { Description = "Pixel scale before normalisation", DefaultValueFactory = _ => 1f / 255f };
        var mean = new Option<string?>("--mean") { Description = "Per-channel mean, comma-separated (e.g. 0.485,0.456,0.406)" };
        var std = new Option<string?>("--std") { Description = "Per-channel standard deviation, comma-separated" };
        var untrained = new Option<bool>("--untrained") { Description = "Mark the package as untrained (results say so)" };
        var backwardWeights = new Option<BackwardWeightStorage>("--backward-weights")
        {
            Description = "Float32 (exact), SplitInt8 (two int8 copies of large dense weights for the CAM's backward product, ~2e-4 relative error) or Int8 (one copy, fastest, ~1e-2; docs/gradcam.md)",
            DefaultValueFactory = _ => BackwardWeightStorage.Float32,
        };
        var command = new Command("prepare", "Add the Grad-CAM gradient subgraph to a model and write a package")
        {
            model, labels, output, target, score, name, version, width, height, channels, scale, mean, std, untrained, backwardWeights,
        };
        command.SetAction(parse =>
        {
            try
            {
                var file = parse.GetValue(model)!;
                var labelList = parse.GetValue(labels)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var onnx = OnnxModelFile.Load(file.FullName);
                var input = onnx.Graph.Input.First(i => onnx.Graph.Initializer.All(t => t.Name != i.Name));
                var dims = input.Type.TensorType.Shape.Dim;
                if (dims.Count != 4) throw new InvalidDataException($"{file.Name}: input '{input.Name}' must be NCHW (4-D); it has {dims.Count} dimensions.");
                var w = parse.GetValue(width) ?? (dims[3].HasDimValue ? (int)dims[3].DimValue : throw new ArgumentException("The model input width is symbolic; pass --width."));
                var h = parse.GetValue(height) ?? (dims[2].HasDimValue ? (int)dims[2].DimValue : throw new ArgumentException("The model input height is symbolic; pass --height."));
                var c = dims[1].HasDimValue ? dims[1].DimValue : 3;

                var result = GradCamTransform.Apply(onnx, new GradCamOptions
                {
                    TargetTensor = parse.GetValue(target),
                    ScoreTensor = parse.GetValue(score),
                    InputShapes = new Dictionary<string, long[]> { [input.Name] = [1, c, h, w] },
                    BackwardWeights = parse.GetValue(backwardWeights),
                });
                if (result.Classes != labelList.Length)
                    throw new ArgumentException($"--labels has {labelList.Length} labels but the score tensor '{result.ScoreTensor}' has {result.Classes} classes.");

                var manifest = new ModelManifest
                {
                    Name = parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(file.Name),
                    Version = parse.GetValue(version)!,
                    Labels = labelList,
                    Input = new InputSpec
                    {
                        Name = input.Name,
                        Width = w,
                        Height = h,
                        Channels = parse.GetValue(channels),
                        Scale = parse.GetValue(scale),
                        Mean = ParseFloats(parse.GetValue(mean), "--mean") ?? [0f, 0f, 0f],
                        Std = ParseFloats(parse.GetValue(std), "--std") ?? [1f, 1f, 1f],
                    },
                    Outputs = new OutputSpec { Logits = result.ScoreTensor, Probabilities = result.ProbabilitiesOutput, Cam = result.CamOutput },
                    TargetLayer = result.TargetTensor,
                    Sha256 = string.Empty, // the writer fills in the hash of the model it writes
                    Trained = !parse.GetValue(untrained),
                };
                var destination = Path.GetFullPath(parse.GetValue(output)!);
                var writer = new ModelPackageWriter(manifest).WithModel(result.Model);
                var written = destination.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? writer.WriteZip(destination) : writer.WriteFolder(destination);
                Console.WriteLine($"Prepared {destination} ({written.Name} {written.Version}, sha256 {written.Sha256[..12]}...)");
                Console.WriteLine($"  target   {result.TargetTensor} [{string.Join(", ", result.TargetShape.Skip(1))}] ({result.TargetLayout})");
                Console.WriteLine($"  scores   {result.ScoreTensor} ({result.Classes} classes: {string.Join(", ", labelList)})");
                Console.WriteLine($"  cam      {result.CamOutput} [N, {result.Classes}, H, W]");
                Console.WriteLine($"  gradient nodes added: {result.AddedNodeCount}; differentiated: " +
                                  string.Join(", ", result.DifferentiatedOps.Select(kv => $"{kv.Key} x{kv.Value}")));
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidDataException or InvalidOperationException or NotSupportedException or UnsupportedOperatorException or ModelPackageException or IOException)
            {
                Console.Error.WriteLine($"model prepare: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static float[]? ParseFloats(string? text, string option)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Select(p => float.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new ArgumentException($"{option}: '{p}' is not a number.")).ToArray();
    }
}
