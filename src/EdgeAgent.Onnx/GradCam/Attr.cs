using Google.Protobuf;
using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>Builders and readers for node attributes.</summary>
internal static class Attr
{
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Tensor(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    public static long GetInt(NodeProto node, string name, long fallback) => Find(node, name) is { } a ? a.I : fallback;

    public static float GetFloat(NodeProto node, string name, float fallback) => Find(node, name) is { } a ? a.F : fallback;

    public static string GetString(NodeProto node, string name, string fallback) =>
        Find(node, name) is { } a ? a.S.ToStringUtf8() : fallback;

    public static long[]? GetInts(NodeProto node, string name) => Find(node, name)?.Ints.ToArray();

    public static float[]? GetFloats(NodeProto node, string name) => Find(node, name)?.Floats.ToArray();

    public static string[]? GetStrings(NodeProto node, string name) =>
        Find(node, name)?.Strings.Select(s => s.ToStringUtf8()).ToArray();
}
