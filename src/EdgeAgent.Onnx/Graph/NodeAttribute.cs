using Google.Protobuf;
using Onnx;

namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// A typed ONNX node attribute. The factories pin the attribute type so a caller cannot
/// write an int where the op expects a float.
/// </summary>
public sealed class NodeAttribute
{
    private NodeAttribute(AttributeProto proto) => Proto = proto;

    /// <summary>The protobuf form added to the node.</summary>
    public AttributeProto Proto { get; }

    public string Name => Proto.Name;

    public static NodeAttribute Int(string name, long value) =>
        new(new AttributeProto { Name = Check(name), Type = AttributeProto.Types.AttributeType.Int, I = value });

    public static NodeAttribute Ints(string name, params long[] values)
    {
        var proto = new AttributeProto { Name = Check(name), Type = AttributeProto.Types.AttributeType.Ints };
        proto.Ints.AddRange(values);
        return new NodeAttribute(proto);
    }

    public static NodeAttribute Float(string name, float value) =>
        new(new AttributeProto { Name = Check(name), Type = AttributeProto.Types.AttributeType.Float, F = value });

    public static NodeAttribute Floats(string name, params float[] values)
    {
        var proto = new AttributeProto { Name = Check(name), Type = AttributeProto.Types.AttributeType.Floats };
        proto.Floats.AddRange(values);
        return new NodeAttribute(proto);
    }

    public static NodeAttribute String(string name, string value) =>
        new(new AttributeProto
        {
            Name = Check(name),
            Type = AttributeProto.Types.AttributeType.String,
            S = ByteString.CopyFromUtf8(value),
        });

    public static NodeAttribute Strings(string name, params string[] values)
    {
        var proto = new AttributeProto { Name = Check(name), Type = AttributeProto.Types.AttributeType.Strings };
        foreach (var value in values)
        {
            proto.Strings.Add(ByteString.CopyFromUtf8(value));
        }

        return new NodeAttribute(proto);
    }

    public static NodeAttribute Tensor(string name, TensorProto value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(new AttributeProto { Name = Check(name), Type = AttributeProto.Types.AttributeType.Tensor, T = value });
    }

    private static string Check(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }
}
