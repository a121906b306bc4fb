using Onnx;

namespace EdgeAgent.Onnx.Assembly;

/// <summary>
/// Joins a backbone graph and a head graph into one model: the head's single input is fed by the
/// backbone's feature tensor, which stays visible by name (it is the Grad-CAM target layer).
/// The head's outputs keep their names; its other tensors are prefixed when they would collide.
/// </summary>
public static class ModelJoiner
{
    public static ModelProto Join(ModelProto backbone, string featureTensor, ModelProto head, string headInput, string graphName = "cnn_rnn")
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(head);
        var opset = Math.Max(DefaultOpset(backbone), DefaultOpset(head));
        var joined = backbone.Clone();
        var headCopy = head.Clone();
        OpsetUpgrader.Upgrade(joined, opset);
        OpsetUpgrader.Upgrade(headCopy, opset);
        if (!joined.Graph.Node.Any(n => n.Output.Contains(featureTensor)))
        {
            throw new InvalidOperationException($"Backbone graph '{backbone.Graph.Name}' produces no tensor '{featureTensor}'.");
        }

        var headGraph = headCopy.Graph;
        var headInitializers = headGraph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var headInputs = headGraph.Input.Where(i => !headInitializers.Contains(i.Name)).ToList();
        if (headInputs.Count != 1 || headInputs[0].Name != headInput)
        {
            throw new InvalidOperationException(
                $"Head graph '{head.Graph.Name}' must have exactly one input '{headInput}'; it has [{string.Join(", ", headInputs.Select(i => i.Name))}].");
        }

        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in joined.Graph.Node)
        {
            taken.UnionWith(node.Output);
            taken.Add(node.Name);
        }

        taken.UnionWith(joined.Graph.Input.Select(i => i.Name));
        taken.UnionWith(joined.Graph.Initializer.Select(t => t.Name));

        var headOutputs = headGraph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var output in headOutputs.Where(taken.Contains))
        {
            throw new InvalidOperationException($"Head output '{output}' collides with a backbone tensor of the same name.");
        }

        // Rename every head tensor and node that collides, then wire the head input to the features.
        var names = headGraph.Node.SelectMany(n => n.Output).Concat(headGraph.Initializer.Select(t => t.Name)).Distinct().ToList();
        foreach (var name in names.Where(n => n.Length > 0 && taken.Contains(n)))
        {
            OnnxGraphSurgery.RenameTensor(headGraph, name, UniqueName("head/" + name, taken));
        }

        OnnxGraphSurgery.RenameTensor(headGraph, headInput, featureTensor);
        foreach (var node in headGraph.Node)
        {
            if (node.Name.Length > 0 && taken.Contains(node.Name))
            {
                node.Name = UniqueName("head/" + node.Name, taken);
            }
        }

        joined.Graph.Node.AddRange(headGraph.Node);
        joined.Graph.Initializer.AddRange(headGraph.Initializer);
        joined.Graph.ValueInfo.AddRange(headGraph.ValueInfo.Where(v => v.Name != featureTensor));
        // The feature map becomes an intermediate tensor; keep its declared shape as value info for tools.
        var featureInfo = joined.Graph.Output.FirstOrDefault(o => o.Name == featureTensor);
        joined.Graph.Output.Clear();
        if (featureInfo is not null)
        {
            joined.Graph.ValueInfo.Add(featureInfo);
        }

        joined.Graph.Output.AddRange(headGraph.Output);
        joined.Graph.Name = graphName;
        foreach (var entry in head.MetadataProps)
        {
            joined.MetadataProps.Add(entry.Clone());
        }

        return joined;
    }

    private static long DefaultOpset(ModelProto model) =>
        model.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();

    private static string UniqueName(string wanted, HashSet<string> taken)
    {
        var name = wanted;
        for (var i = 1; taken.Contains(name); i++)
        {
            name = $"{wanted}_{i}";
        }

        taken.Add(name);
        return name;
    }
}
