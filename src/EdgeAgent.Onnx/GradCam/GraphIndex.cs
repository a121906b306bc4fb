using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>Producer and consumer lookups over one graph (built once, before nodes are appended).</summary>
internal sealed class GraphIndex
{
    private readonly Dictionary<string, int> _producer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _consumers = new(StringComparer.Ordinal);

    public GraphIndex(GraphProto graph)
    {
        Graph = graph;
        NodeCount = graph.Node.Count;
        for (int i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            foreach (var o in node.Output.Where(o => o.Length > 0)) _producer[o] = i;
            foreach (var input in node.Input.Where(n => n.Length > 0))
            {
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = [];
                list.Add(i);
            }
        }
        foreach (var init in graph.Initializer) Initializers[init.Name] = init;
        GraphInputs = graph.Input.Where(i => !Initializers.ContainsKey(i.Name)).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
    }

    public GraphProto Graph { get; }

    /// <summary>Number of nodes of the original graph; nodes appended later are not indexed.</summary>
    public int NodeCount { get; }

    public Dictionary<string, TensorProto> Initializers { get; } = new(StringComparer.Ordinal);

    public HashSet<string> GraphInputs { get; }

    public NodeProto Node(int index) => Graph.Node[index];

    public int? ProducerOf(string tensor) => _producer.TryGetValue(tensor, out var i) ? i : null;

    public IReadOnlyList<int> ConsumersOf(string tensor) => _consumers.TryGetValue(tensor, out var l) ? l : [];

    public bool Exists(string tensor) =>
        _producer.ContainsKey(tensor) || Initializers.ContainsKey(tensor) || GraphInputs.Contains(tensor);

    /// <summary>Every node that some tensor in <paramref name="roots"/> depends on (transitively).</summary>
    public HashSet<int> AncestorNodes(IEnumerable<string> roots)
    {
        var seen = new HashSet<int>();
        var stack = new Stack<string>(roots);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (ProducerOf(t) is not { } p || !seen.Add(p)) continue;
            foreach (var input in Node(p).Input.Where(n => n.Length > 0)) stack.Push(input);
        }
        return seen;
    }
}
