using Onnx;

namespace EdgeAgent.Onnx.Quantization;

internal static class GraphCleanup
{
    /// <summary>Drops initializers no node (or graph output) reads any more, e.g. weights replaced by folded or int8 copies.</summary>
    public static void RemoveUnusedInitializers(GraphProto graph)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input)
            {
                used.Add(input);
            }

            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is not null)
                {
                    // Subgraphs may capture outer initializers by name: keep everything then.
                    return;
                }
            }
        }

        foreach (var output in graph.Output)
        {
            used.Add(output.Name);
        }

        var unused = graph.Initializer.Where(t => !used.Contains(t.Name)).ToList();
        foreach (var tensor in unused)
        {
            graph.Initializer.Remove(tensor);
        }
    }
}
