using Google.Protobuf;
using Onnx;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>
/// Minimal graph writer for derivative tests: the same recipe can be built in float32 (the model that gets
/// differentiated) or float64 (the model finite differences run on), with identical weight values.
/// </summary>
internal sealed class TestGraph
{
    private readonly ModelProto _model;
    private readonly Random _rng;
    private int _counter;

    public TestGraph(bool useDouble, int seed = 7, long opset = 17)
    {
        UseDouble = useDouble;
        _rng = new Random(seed);
        _model = new ModelProto { IrVersion = 8, ProducerName = "edgeagent-tests", Graph = new GraphProto { Name = "test" } };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    public bool UseDouble { get; }

    public int ElemType => UseDouble ? 11 : 1;

    public GraphProto Graph => _model.Graph;

    public string Input(string name, params long[] shape)
    {
        Graph.Input.Add(ValueInfo(name, ElemType, shape));
        return name;
    }

    public void Output(string name, int? elemType = null) => Graph.Output.Add(new ValueInfoProto
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType ?? ElemType } },
    });

    /// <summary>Flattens y to [1, M] as output "score": the gradient pass then yields the full Jacobian (K = M).</summary>
    public ModelProto Score(params string[] ys)
    {
        var flat = ys.Select(y => Node("Reshape", [y, Ints(1, -1)])).ToArray();
        var score = flat.Length == 1 ? flat[0] : Node("Concat", flat, Attr("axis", 1));
        NodeTo("score", "Identity", [score]);
        Output("score");
        return _model;
    }

    public ModelProto Model => _model;

    public string Node(string op, string[] inputs, params AttributeProto[] attrs) => Nodes(op, inputs, 1, attrs)[0];

    public string[] Nodes(string op, string[] inputs, int outputs, params AttributeProto[] attrs)
    {
        var n = new NodeProto { OpType = op, Name = $"{op}_{_counter}" };
        n.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(i => $"{op.ToLowerInvariant()}_{_counter}_{i}").ToArray();
        _counter++;
        n.Output.AddRange(names);
        n.Attribute.AddRange(attrs);
        Graph.Node.Add(n);
        return names;
    }

    /// <summary>Node with explicit output names ("" skips an optional output).</summary>
    public void NodeTo(string[] outputs, string op, string[] inputs, params AttributeProto[] attrs)
    {
        var n = new NodeProto { OpType = op, Name = $"{op}_{_counter++}" };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        n.Attribute.AddRange(attrs);
        Graph.Node.Add(n);
    }

    public void NodeTo(string output, string op, string[] inputs, params AttributeProto[] attrs) => NodeTo([output], op, inputs, attrs);

    /// <summary>Random weights uniform in [lo, hi), drawn as float32 so both precisions hold the same values.</summary>
    public string Weight(long[] shape, double lo = -1, double hi = 1)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var values = Enumerable.Range(0, (int)count).Select(_ => (float)(lo + (hi - lo) * _rng.NextDouble())).ToArray();
        return Const(values, shape);
    }

    public string Const(float[] values, long[] shape)
    {
        var t = new TensorProto { Name = $"w_{_counter++}", DataType = ElemType };
        t.Dims.AddRange(shape);
        if (UseDouble) t.DoubleData.AddRange(values.Select(v => (double)v));
        else t.FloatData.AddRange(values);
        Graph.Initializer.Add(t);
        return t.Name;
    }

    public string Ints(params long[] values)
    {
        var t = new TensorProto { Name = $"i_{_counter++}", DataType = 7 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        Graph.Initializer.Add(t);
        return t.Name;
    }

    public string Scalar(long value)
    {
        var t = new TensorProto { Name = $"i_{_counter++}", DataType = 7 };
        t.Int64Data.Add(value);
        Graph.Initializer.Add(t);
        return t.Name;
    }

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attr(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Strings(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    public static AttributeProto Floats(string name, params float[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    public AttributeProto CastTo() => Attr("to", (long)ElemType);

    private static ValueInfoProto ValueInfo(string name, int elemType, long[] shape)
    {
        var s = new TensorShapeProto();
        foreach (var d in shape) s.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = s } } };
    }
}
