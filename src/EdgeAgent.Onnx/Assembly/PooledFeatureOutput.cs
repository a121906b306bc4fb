using EdgeAgent.Onnx.GradCam;
using Onnx;

namespace EdgeAgent.Onnx.Assembly;

/// <summary>
/// Adds a model output holding the spatial mean of a feature map ([N, C, H, W] or [N, H, W, C] → [N, C]): the pooled
/// target-layer features the Mahalanobis OOD score is measured on. One ReduceMean node, so the features come from
/// the same Run as the logits and the CAM at no measurable cost.
/// </summary>
public static class PooledFeatureOutput
{
    public const string DefaultName = "features";

    /// <summary>Adds the output and returns its name: <paramref name="preferredName"/>, or that name with a suffix when a tensor already has it.</summary>
    public static string Add(ModelProto model, string featureMap, FeatureLayout layout, long channels, string preferredName = DefaultName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(featureMap);
        var graph = model.Graph;
        if (!graph.Node.Any(n => n.Output.Contains(featureMap)) && graph.Input.All(i => i.Name != featureMap))
        {
            throw new InvalidOperationException($"Graph '{graph.Name}' produces no tensor '{featureMap}' to pool features from.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(preferredName);
        var taken = graph.Node.SelectMany(n => n.Output).Concat(graph.Node.Select(n => n.Name))
            .Concat(graph.Input.Select(i => i.Name)).Concat(graph.Output.Select(o => o.Name)).Concat(graph.Initializer.Select(t => t.Name))
            .ToHashSet(StringComparer.Ordinal);
        var outputName = preferredName;
        for (var i = 1; taken.Contains(outputName) || taken.Contains(outputName + "/pool") || taken.Contains(outputName + "/axes"); i++)
        {
            outputName = $"{preferredName}_{i}";
        }

        long[] axes = layout == FeatureLayout.Nhwc ? [1, 2] : [2, 3];
        var node = new NodeProto { OpType = "ReduceMean", Name = outputName + "/pool" };
        node.Input.Add(featureMap);
        node.Output.Add(outputName);
        node.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        var opset = model.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
        if (opset >= 18)
        {
            // ReduceMean-18 takes the axes as an input instead of an attribute.
            var axesName = outputName + "/axes";
            var tensor = new TensorProto { Name = axesName, DataType = (int)TensorProto.Types.DataType.Int64 };
            tensor.Dims.Add(axes.Length);
            tensor.Int64Data.AddRange(axes);
            graph.Initializer.Add(tensor);
            node.Input.Add(axesName);
        }
        else
        {
            var attribute = new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.AddRange(axes);
            node.Attribute.Add(attribute);
        }

        graph.Node.Add(node);
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = channels });
        graph.Output.Add(new ValueInfoProto
        {
            Name = outputName,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        });
        return outputName;
    }
}
