namespace EdgeAgent.Onnx.Graph;

/// <summary>What a model file declares, read without loading its weights (see <see cref="OnnxGraphScanner"/>).</summary>
public sealed record OnnxGraphSummary
{
    public required IReadOnlyList<GraphValueInfo> Inputs { get; init; }
    public required IReadOnlyList<GraphValueInfo> Outputs { get; init; }
    public required IReadOnlySet<string> InitializerNames { get; init; }

    /// <summary>Every tensor produced by a node.</summary>
    public required IReadOnlySet<string> NodeOutputNames { get; init; }

    /// <summary>Node count per op type.</summary>
    public required IReadOnlyDictionary<string, int> OpCounts { get; init; }

    /// <summary>Opset version per domain ("" is ai.onnx).</summary>
    public required IReadOnlyDictionary<string, long> Opsets { get; init; }

    public required long IrVersion { get; init; }

    /// <summary>True when the name is a graph input, an initializer or a node output.</summary>
    public bool HasTensor(string name) =>
        NodeOutputNames.Contains(name) || InitializerNames.Contains(name) || Inputs.Any(i => i.Name == name);
}
