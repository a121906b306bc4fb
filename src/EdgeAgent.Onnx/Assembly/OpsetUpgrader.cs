using Onnx;

namespace EdgeAgent.Onnx.Assembly;

/// <summary>
/// Moves a default-domain graph to a newer opset when every op in it is one whose meaning did not
/// change in between except for attributes handled here. Anything else stops with the node named,
/// rather than a model that loads but computes something else.
/// </summary>
public static class OpsetUpgrader
{
    /// <summary>Ops whose semantics are the same from opset 7 to 17 for float inputs.</summary>
    private static readonly HashSet<string> Unchanged = new(StringComparer.Ordinal)
    {
        "Conv", "Relu", "Add", "Sub", "Mul", "Div", "MaxPool", "AveragePool", "GlobalAveragePool",
        "Sigmoid", "Tanh", "Identity", "Concat", "Gemm", "MatMul", "Softmax", "LeakyRelu", "Gather", "Transpose",
    };

    public static void Upgrade(ModelProto model, long targetOpset)
    {
        ArgumentNullException.ThrowIfNull(model);
        var current = model.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
        if (current == targetOpset)
        {
            return;
        }

        if (current > targetOpset)
        {
            throw new InvalidOperationException($"Model '{model.Graph.Name}' uses opset {current}; it cannot be lowered to {targetOpset}.");
        }

        for (var i = 0; i < model.Graph.Node.Count; i++)
        {
            var node = model.Graph.Node[i];
            if (node.Domain.Length != 0 && node.Domain != "ai.onnx")
            {
                throw new InvalidOperationException($"Node {i} '{node.Name}' ({node.Domain}.{node.OpType}) is outside the default domain; cannot upgrade it.");
            }

            switch (node.OpType)
            {
                case "BatchNormalization":
                    UpgradeBatchNormalization(node, i);
                    break;
                case "Softmax" when targetOpset >= 13 && current < 13:
                    // Softmax changed from "flatten from axis" to "along axis" in 13: equal only for the last axis of 2-D input.
                    throw new InvalidOperationException($"Node {i} '{node.Name}' (Softmax): meaning changed in opset 13; export the backbone without it.");
                default:
                    if (!Unchanged.Contains(node.OpType))
                    {
                        throw new InvalidOperationException(
                            $"Node {i} '{node.Name}' ({node.OpType}) has no checked upgrade from opset {current} to {targetOpset}.");
                    }

                    break;
            }
        }

        model.OpsetImport.Clear();
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = targetOpset });
        if (model.IrVersion < 8)
        {
            model.IrVersion = 8;
        }
    }

    private static void UpgradeBatchNormalization(NodeProto node, int index)
    {
        // Opset 9 removed 'spatial' (spatial=1, one statistic per channel, became the only form);
        // opsets 14/15 added training_mode (default 0, inference) which is what we want.
        var spatial = node.Attribute.FirstOrDefault(a => a.Name == "spatial");
        if (spatial is not null)
        {
            if (spatial.I != 1)
            {
                throw new InvalidOperationException(
                    $"Node {index} '{node.Name}' (BatchNormalization) has spatial=0 (per-pixel statistics), which newer opsets cannot express.");
            }

            node.Attribute.Remove(spatial);
        }

        if (node.Output.Count > 1)
        {
            throw new InvalidOperationException($"Node {index} '{node.Name}' (BatchNormalization) has training outputs; only the inference form is supported.");
        }
    }
}
