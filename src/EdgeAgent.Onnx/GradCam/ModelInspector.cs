using EdgeAgent.Onnx.Packaging;
using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>Describes a model: inputs, outputs (marking gradient outputs), op counts and the Grad-CAM target.</summary>
public static class ModelInspector
{
    /// <summary>
    /// Describes a packaged model. The Grad-CAM facts come from the model's metadata_props; when a tool on the way
    /// dropped them (onnx optimisers and simplifiers rewrite the model without them), from the manifest's cam output
    /// and target layer, as long as the graph really has that output.
    /// </summary>
    public static ModelDescription Describe(ModelProto model, ModelManifest? manifest)
    {
        var described = Describe(model);
        if (described.CamOutput is not null || manifest?.Outputs.Cam is not { } cam || described.Outputs.All(o => o.Name != cam))
        {
            return described;
        }

        return described with
        {
            Outputs = [.. described.Outputs.Select(o => o.Name == cam ? o with { IsGradientOutput = true } : o)],
            TargetTensor = manifest.TargetLayer,
            ScoreTensor = manifest.Outputs.Logits,
            CamOutput = cam,
            FromManifest = true,
        };
    }

    public static ModelDescription Describe(ModelProto model)
    {
        var graph = model.Graph;
        var gradientNodes = graph.Node.Where(IsGradientNode).ToList();
        var gradientTensors = gradientNodes.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        string? Meta(string key) => model.MetadataProps.FirstOrDefault(p => p.Key == key)?.Value;
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        return new ModelDescription
        {
            Inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).Select(i => Describe(i, false)).ToList(),
            Outputs = graph.Output.Select(o => Describe(o, gradientTensors.Contains(o.Name))).ToList(),
            Opset = ReverseModeDifferentiator.DefaultOpset(model),
            NodeCount = graph.Node.Count,
            GradientNodeCount = gradientNodes.Count,
            OpCounts = Count(graph.Node.Where(n => !IsGradientNode(n))),
            GradientOpCounts = Count(gradientNodes),
            TargetTensor = Meta(MetadataKeys.Target),
            ScoreTensor = Meta(MetadataKeys.Score),
            CamOutput = Meta(MetadataKeys.Cam),
            TargetLayout = Meta(MetadataKeys.Layout),
        };
    }

    private static bool IsGradientNode(NodeProto n) => n.Name.StartsWith(MetadataKeys.NodePrefix, StringComparison.Ordinal);

    private static Dictionary<string, int> Count(IEnumerable<NodeProto> nodes) =>
        nodes.GroupBy(n => n.OpType, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static TensorDescription Describe(ValueInfoProto v, bool gradient)
    {
        var tensor = v.Type?.TensorType;
        var dims = tensor?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString() : (d.DimParam.Length > 0 ? d.DimParam : "?")).ToList() ?? [];
        var type = tensor is null ? "?" : ((TensorProto.Types.DataType)tensor.ElemType).ToString().ToLowerInvariant();
        return new TensorDescription(v.Name, type, dims, gradient);
    }
}
