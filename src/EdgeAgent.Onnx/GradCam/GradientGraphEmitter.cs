using Google.Protobuf;
using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// Appends new nodes and constant initializers to a graph under a private name prefix, choosing the
/// attribute or input form of ops whose signature changed between opsets (ReduceMean, Split, ...).
/// </summary>
internal sealed class GradientGraphEmitter
{
    private readonly GraphProto _graph;
    private readonly string _prefix;
    private int _counter;

    public GradientGraphEmitter(GraphProto graph, long opset, string prefix)
    {
        _graph = graph;
        Opset = opset;
        _prefix = prefix;
    }

    public long Opset { get; }

    public int NodeCount { get; private set; }

    public string NewName(string hint) => $"{_prefix}{hint}_{_counter++}";

    public string Op(string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        OpMulti(opType, inputs, 1, attributes)[0];

    public string[] OpMulti(string opType, IReadOnlyList<string> inputs, int outputCount, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = NewName(opType) };
        node.Input.AddRange(inputs);
        var outputs = new string[outputCount];
        for (int i = 0; i < outputCount; i++)
        {
            outputs[i] = NewName(opType.ToLowerInvariant());
            node.Output.Add(outputs[i]);
        }
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        NodeCount++;
        return outputs;
    }

    /// <summary>One node whose single output gets a caller-chosen name (for graph outputs).</summary>
    public string OpTo(string output, string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = NewName(opType) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        NodeCount++;
        return output;
    }

    public string ConstInt64(params long[] values) => ConstInt64Shaped(values, [values.Length]);

    public string ScalarInt64(long value) => ConstInt64Shaped([value], []);

    public string ConstInt64Shaped(long[] values, long[] dims)
    {
        var t = new TensorProto { Name = NewName("c"), DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.AddRange(dims);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>Adds a constant tensor under a new private name (its own name is only the hint).</summary>
    public string AddInitializer(TensorProto tensor)
    {
        tensor.Name = NewName(tensor.Name);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string ScalarFloat(float value) => ConstFloat([value], []);

    public string ConstFloat(float[] values, long[] dims)
    {
        var t = new TensorProto { Name = NewName("c"), DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    // ---- arithmetic shorthands ----
    public string Add(string a, string b) => Op("Add", [a, b]);
    public string Sub(string a, string b) => Op("Sub", [a, b]);
    public string Mul(string a, string b) => Op("Mul", [a, b]);
    public string Div(string a, string b) => Op("Div", [a, b]);
    public string Neg(string a) => Op("Neg", [a]);
    public string MatMul(string a, string b) => Op("MatMul", [a, b]);
    public string Transpose(string x, params long[] perm) => Op("Transpose", [x], Attr.Ints("perm", perm));
    public string Concat(long axis, params string[] xs) => xs.Length == 1 ? xs[0] : Op("Concat", xs, Attr.Int("axis", axis));
    public string Shape(string x) => Op("Shape", [x]);
    public string Reshape(string x, string shape) => Op("Reshape", [x, shape]);
    public string Reshape(string x, params long[] shape) => Reshape(x, ConstInt64(shape));
    public string Gather(string x, long index, long axis) => Op("Gather", [x, ScalarInt64(index)], Attr.Int("axis", axis));

    public string Slice(string x, long axis, long start, long end) =>
        Op("Slice", [x, ConstInt64(start), ConstInt64(end), ConstInt64(axis)]);

    /// <summary>1 - x, with the one broadcast.</summary>
    public string OneMinus(string x) => Sub(ScalarFloat(1f), x);

    public string ReduceSum(string x, long[] axes, bool keepDims)
    {
        if (axes.Length == 0) return x;
        return Op("ReduceSum", [x, ConstInt64(axes)], Attr.Int("keepdims", keepDims ? 1 : 0));
    }

    public string ReduceMean(string x, long[] axes, bool keepDims)
    {
        if (Opset >= 18)
            return Op("ReduceMean", [x, ConstInt64(axes)], Attr.Int("keepdims", keepDims ? 1 : 0));
        return Op("ReduceMean", [x], Attr.Ints("axes", axes), Attr.Int("keepdims", keepDims ? 1 : 0));
    }

    public string ReduceMax(string x, long[] axes, bool keepDims)
    {
        if (Opset >= 18)
            return Op("ReduceMax", [x, ConstInt64(axes)], Attr.Int("keepdims", keepDims ? 1 : 0));
        return Op("ReduceMax", [x], Attr.Ints("axes", axes), Attr.Int("keepdims", keepDims ? 1 : 0));
    }

    public string Unsqueeze(string x, params long[] axes) => Op("Unsqueeze", [x, ConstInt64(axes)]);

    public string Squeeze(string x, params long[] axes) => Op("Squeeze", [x, ConstInt64(axes)]);

    public string[] Split(string x, long axis, long[] sizes)
    {
        if (sizes.Length == 1) return [x];
        return OpMulti("Split", [x, ConstInt64(sizes)], sizes.Length, Attr.Int("axis", axis));
    }

    /// <summary>Zeros shaped [k] + shape(x).</summary>
    public string ZerosWithClassAxis(string x, long classes)
    {
        var shape = Concat(0, ConstInt64(classes), Shape(x));
        return Op("ConstantOfShape", [shape], Attr.Tensor("value", ZeroFloatTensor()));
    }

    public string ZerosOfShape(string shape) => Op("ConstantOfShape", [shape], Attr.Tensor("value", ZeroFloatTensor()));

    private static TensorProto ZeroFloatTensor()
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(1);
        t.FloatData.Add(0f);
        return t;
    }

    public void AddOutput(string name, int elemType, IReadOnlyList<string?> dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (d is not null && long.TryParse(d, out var v)) dim.DimValue = v;
            else if (d is not null) dim.DimParam = d;
            shape.Dim.Add(dim);
        }
        _graph.Output.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = shape } },
        });
    }

    public static ByteString Utf8(string s) => ByteString.CopyFromUtf8(s);
}
