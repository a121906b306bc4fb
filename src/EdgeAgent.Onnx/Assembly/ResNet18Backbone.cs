using EdgeAgent.Onnx.Packaging;
using Google.Protobuf;
using Onnx;

namespace EdgeAgent.Onnx.Assembly;

/// <summary>
/// The ImageNet-pretrained ResNet18 of the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18
/// (a CNTK export, opset 8, batch 1) made into a frozen backbone: cut at a convolutional feature map
/// (512x7x7 after the last residual block's ReLU, or 256x14x14 after the third stage: see
/// <see cref="ResNet18Cut"/>), moved to opset 17, batch made
/// symbolic, and the package's own preprocessing (RGB to BGR, minus a per-pixel mean image, on
/// 0..255 pixels) folded in front, so the model takes plain RGB 0..255 pixels.
/// </summary>
public static class ResNet18Backbone
{
    public const string ModelFileName = "ResNet18.onnx";
    public const string PreprocessFileName = "ResNetPreprocess.onnx";
    /// <summary>Folder below the application base where EdgeAgent.Onnx.csproj copies the package files.</summary>
    public const string DefaultFolder = "backbones/resnet18";
    public const string InputName = "image";
    public const string FeatureName = "backbone_features";
    public const int Size = 224;

    /// <summary>The default folder next to the running application.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, DefaultFolder);

    public static FrozenBackbone Load(string? directory = null, ResNet18Cut? cut = null, int opset = 17)
    {
        directory ??= DefaultDirectory;
        cut ??= ResNet18Cut.LastStage;
        var modelPath = Path.Combine(directory, ModelFileName);
        var preprocessPath = Path.Combine(directory, PreprocessFileName);
        foreach (var path in new[] { modelPath, preprocessPath })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"ResNet18 backbone file '{path}' is missing; it is copied from the NuGet package " +
                    "Microsoft.ML.DnnImageFeaturizer.ResNet18 by EdgeAgent.Onnx.csproj at build time.", path);
            }
        }

        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        var meanImage = ReadMeanImage(ModelProto.Parser.ParseFrom(File.ReadAllBytes(preprocessPath)), preprocessPath);
        var model = OnnxGraphSurgery.CutAt(original, cut.CntkTensor);
        OpsetUpgrader.Upgrade(model, opset);
        var graph = model.Graph;
        if (graph.Input.Count != 1)
        {
            throw new InvalidOperationException($"{modelPath}: expected one image input, found {graph.Input.Count}.");
        }

        // CNTK's value_info pins batch 1 on every tensor; the batch is symbolic now, so drop them.
        graph.ValueInfo.Clear();
        var cntkInput = graph.Input[0].Name;
        graph.Input.Clear();
        graph.Input.Add(OnnxGraphSurgery.FloatValueInfo(InputName, [-1, 3, Size, Size]));
        OnnxGraphSurgery.RenameTensor(graph, cut.CntkTensor, FeatureName);
        graph.Output.Clear();
        graph.Output.Add(OnnxGraphSurgery.FloatValueInfo(FeatureName, [-1, cut.Channels, cut.Size, cut.Size]));

        // Folded preprocessing: BGR = image[:, [2, 1, 0]], then minus the mean image (broadcast over N).
        var order = new TensorProto { Name = "resnet_prep_bgr_order", DataType = (int)TensorProto.Types.DataType.Int64 };
        order.Dims.Add(3);
        order.Int64Data.AddRange([2, 1, 0]);
        meanImage.Name = "resnet_prep_mean_image";
        graph.Initializer.Add(order);
        graph.Initializer.Add(meanImage);
        var prep = new List<NodeProto>
        {
            Node("Gather", "resnet_prep_to_bgr", [InputName, order.Name], ["resnet_prep_bgr"], new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }),
            Node("Sub", "resnet_prep_sub_mean", ["resnet_prep_bgr", meanImage.Name], [cntkInput]),
        };
        for (var i = prep.Count - 1; i >= 0; i--)
        {
            graph.Node.Insert(0, prep[i]);
        }

        graph.Name = "resnet18_backbone";
        model.ProducerName = "EdgeAgent.Onnx.Assembly";
        return new FrozenBackbone
        {
            Name = cut.Name,
            Model = model,
            InputName = InputName,
            FeatureName = FeatureName,
            Channels = cut.Channels,
            FeatureHeight = cut.Size,
            FeatureWidth = cut.Size,
            // Preprocessing is inside the graph: the input is RGB pixels 0..255 unchanged.
            Input = new InputSpec { Name = InputName, Width = Size, Height = Size, Channels = ChannelOrder.Rgb, Scale = 1f, Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] },
        };
    }

    private static TensorProto ReadMeanImage(ModelProto preprocess, string path)
    {
        // Expect exactly Split(RGB) -> Concat(B, G, R) -> Sub(MeanImage): anything else means a different package.
        var ops = string.Join(",", preprocess.Graph.Node.Select(n => n.OpType));
        var split = preprocess.Graph.Node.FirstOrDefault(n => n.OpType == "Split");
        var concat = preprocess.Graph.Node.FirstOrDefault(n => n.OpType == "Concat");
        var sub = preprocess.Graph.Node.FirstOrDefault(n => n.OpType == "Sub");
        if (ops != "Split,Concat,Sub" || split is null || concat is null || sub is null ||
            !concat.Input.SequenceEqual([split.Output[2], split.Output[1], split.Output[0]]))
        {
            throw new InvalidOperationException($"{path}: unexpected preprocessing graph ({ops}); expected Split -> Concat(B,G,R) -> Sub(mean image).");
        }

        var mean = preprocess.Graph.Initializer.FirstOrDefault(t => t.Name == sub.Input[1])
            ?? throw new InvalidOperationException($"{path}: mean image initializer '{sub.Input[1]}' not found.");
        if (!mean.Dims.SequenceEqual([1L, 3L, Size, Size]))
        {
            throw new InvalidOperationException($"{path}: mean image has shape [{string.Join(",", mean.Dims)}], expected [1,3,{Size},{Size}].");
        }

        return mean.Clone();
    }

    private static NodeProto Node(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }
}
