using Onnx;

namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// Builds an ONNX graph in code. Nodes must be added in topological order: every input a node
/// names must already exist (graph input, initializer or an earlier node's output), so a wiring
/// mistake fails at the line that made it, naming the node and the missing tensor.
/// </summary>
public sealed class GraphBuilder
{
    /// <summary>Default opset of the ai.onnx domain.</summary>
    public const int DefaultOpset = 17;

    /// <summary>IR version 8 is the first that carries opset 17 (ONNX 1.12 and later).</summary>
    public const long IrVersion = 8;

    private readonly ModelProto model;
    private readonly HashSet<string> tensorNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> nodeNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> reservedNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> nextSuffix = new(StringComparer.Ordinal);
    private bool built;

    public GraphBuilder(string graphName = "edgeagent", int opset = DefaultOpset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, 13);
        model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "EdgeAgent.Onnx",
            ProducerVersion = "1",
            Graph = new GraphProto { Name = graphName },
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = opset });
        Opset = opset;
    }

    private GraphBuilder(ModelProto existing)
    {
        model = existing;
        var defaultImport = existing.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")
            ?? throw new ArgumentException("The model imports no ai.onnx opset.", nameof(existing));
        Opset = checked((int)defaultImport.Version);
        var graph = existing.Graph;
        foreach (var input in graph.Input)
        {
            tensorNames.Add(input.Name);
        }

        foreach (var initializer in graph.Initializer)
        {
            tensorNames.Add(initializer.Name);
        }

        foreach (var node in graph.Node)
        {
            if (node.Name.Length > 0)
            {
                nodeNames.Add(node.Name);
            }

            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                tensorNames.Add(output);
            }
        }
    }

    /// <summary>The ai.onnx opset the graph is built against.</summary>
    public int Opset { get; }

    /// <summary>The graph under construction (read it, don't mutate it behind the builder's back).</summary>
    public GraphProto Graph => model.Graph;

    /// <summary>
    /// Continues building on an existing model (e.g. appending gradient nodes). The builder takes
    /// ownership: the model is mutated in place; clone it first to keep the original.
    /// </summary>
    public static GraphBuilder Extend(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Graph is null)
        {
            throw new ArgumentException("The model has no graph.", nameof(model));
        }

        return new GraphBuilder(model);
    }

    /// <summary>True when a tensor of that name exists (input, initializer or node output).</summary>
    public bool HasTensor(string name) => tensorNames.Contains(name);

    /// <summary>
    /// A tensor or node name not yet used in the graph: <paramref name="prefix"/> itself when free,
    /// else prefix_1, prefix_2, ... Deterministic for the same sequence of calls.
    /// </summary>
    public string UniqueName(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (!IsTaken(prefix))
        {
            Reserve(prefix);
            return prefix;
        }

        nextSuffix.TryGetValue(prefix, out var suffix);
        string candidate;
        do
        {
            suffix++;
            candidate = $"{prefix}_{suffix}";
        }
        while (IsTaken(candidate));

        nextSuffix[prefix] = suffix;
        Reserve(candidate);
        return candidate;
    }

    /// <summary>Adds a graph input of the given element type and shape; returns its name.</summary>
    public string AddInput(string name, TensorProto.Types.DataType elementType, IReadOnlyList<TensorDim> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ClaimTensorName(name, "input");
        model.Graph.Input.Add(ValueInfo(name, elementType, shape));
        return name;
    }

    /// <summary>Adds a float input, e.g. <c>AddFloatInput("input", TensorDim.Batch, 3, 32, 32)</c>.</summary>
    public string AddFloatInput(string name, params TensorDim[] shape) =>
        AddInput(name, TensorProto.Types.DataType.Float, shape);

    public string AddInitializer(string name, ReadOnlySpan<float> data, params long[] shape)
    {
        ClaimTensorName(name, "initializer");
        model.Graph.Initializer.Add(OnnxTensors.FromFloats(name, data, shape));
        return name;
    }

    public string AddInitializer(string name, ReadOnlySpan<long> data, params long[] shape)
    {
        ClaimTensorName(name, "initializer");
        model.Graph.Initializer.Add(OnnxTensors.FromInt64s(name, data, shape));
        return name;
    }

    /// <summary>Adds a prepared tensor as an initializer under its own name.</summary>
    public string AddInitializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ClaimTensorName(tensor.Name, "initializer");
        model.Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>An int64 1-D initializer with a generated name (axes, shapes, perms as inputs).</summary>
    public string AddInt64Constant(string prefix, params long[] values) =>
        AddInitializer(UniqueName(prefix), values, values.Length);

    /// <summary>Adds a node with one output named after the op; returns the output name.</summary>
    public string AddNode(string opType, IReadOnlyList<string> inputs, params NodeAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        return AddNode(opType, inputs, [UniqueName(opType)], attributes)[0];
    }

    /// <summary>
    /// Adds a node with explicit output names. An empty string skips an optional input or output,
    /// as ONNX defines it. Returns the output names.
    /// </summary>
    public IReadOnlyList<string> AddNode(
        string opType,
        IReadOnlyList<string> inputs,
        IReadOnlyList<string> outputs,
        IEnumerable<NodeAttribute>? attributes = null,
        string? nodeName = null,
        string domain = "")
    {
        ThrowIfBuilt();
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        var name = nodeName ?? UniqueName($"{opType}_node");
        if (nodeName is not null)
        {
            if (nodeNames.Contains(nodeName))
            {
                throw new InvalidOperationException($"Node name '{nodeName}' is already used in the graph.");
            }
        }

        nodeNames.Add(name);

        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (input.Length > 0 && !tensorNames.Contains(input))
            {
                throw new InvalidOperationException(
                    $"Node '{name}' ({opType}): input {i} '{input}' is not defined yet " +
                    "(add the graph input, initializer or producing node first).");
            }
        }

        var node = new NodeProto { Name = name, OpType = opType, Domain = domain };
        node.Input.AddRange(inputs);
        foreach (var output in outputs)
        {
            if (output.Length > 0)
            {
                if (tensorNames.Contains(output))
                {
                    throw new InvalidOperationException(
                        $"Node '{name}' ({opType}): output '{output}' is already produced elsewhere in the graph.");
                }

                tensorNames.Add(output);
            }

            node.Output.Add(output);
        }

        if (attributes is not null)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var attribute in attributes)
            {
                if (!seen.Add(attribute.Name))
                {
                    throw new InvalidOperationException($"Node '{name}' ({opType}): attribute '{attribute.Name}' given twice.");
                }

                node.Attribute.Add(attribute.Proto.Clone());
            }
        }

        model.Graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Declares an existing tensor a graph output. A null shape leaves the shape unknown.</summary>
    public void AddOutput(string name, TensorProto.Types.DataType elementType, IReadOnlyList<TensorDim>? shape)
    {
        ThrowIfBuilt();
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!tensorNames.Contains(name))
        {
            throw new InvalidOperationException($"Graph output '{name}' is not produced by any node, input or initializer.");
        }

        if (model.Graph.Output.Any(o => o.Name == name))
        {
            throw new InvalidOperationException($"Graph output '{name}' is declared twice.");
        }

        model.Graph.Output.Add(ValueInfo(name, elementType, shape));
    }

    /// <summary>Declares a float output; with no dimensions given the shape is left unknown.</summary>
    public void AddFloatOutput(string name, params TensorDim[] shape) =>
        AddOutput(name, TensorProto.Types.DataType.Float, shape.Length == 0 ? null : shape);

    /// <summary>Adds a metadata_props entry (e.g. the seed a fixture was made with).</summary>
    public void SetMetadata(string key, string value)
    {
        ThrowIfBuilt();
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (existing is not null)
        {
            existing.Value = value;
            return;
        }

        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    /// <summary>
    /// Finishes the model. The builder hands over its model (no copy: fixtures reach hundreds of MB)
    /// and refuses further edits.
    /// </summary>
    public ModelProto Build()
    {
        ThrowIfBuilt();
        if (model.Graph.Output.Count == 0)
        {
            throw new InvalidOperationException($"Graph '{model.Graph.Name}' has no outputs.");
        }

        built = true;
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType elementType, IReadOnlyList<TensorDim>? shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType };
        if (shape is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var dim in shape)
            {
                tensorType.Shape.Dim.Add(dim.IsDynamic
                    ? new TensorShapeProto.Types.Dimension { DimParam = dim.Param }
                    : new TensorShapeProto.Types.Dimension { DimValue = dim.Value!.Value });
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private void ClaimTensorName(string name, string kind)
    {
        ThrowIfBuilt();
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (tensorNames.Contains(name))
        {
            throw new InvalidOperationException($"Cannot add {kind} '{name}': a tensor of that name already exists.");
        }

        tensorNames.Add(name);
    }

    private bool IsTaken(string name) =>
        tensorNames.Contains(name) || nodeNames.Contains(name) || reservedNames.Contains(name);

    // A generated name is reserved so no later UniqueName hands it out again before its owner
    // (a tensor or a node) claims it.
    private void Reserve(string name) => reservedNames.Add(name);

    private void ThrowIfBuilt()
    {
        if (built)
        {
            throw new InvalidOperationException("The model was already built; start a new GraphBuilder.");
        }
    }
}
