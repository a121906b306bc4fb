using System.Runtime.CompilerServices;
using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Compares nodes by identity. Protobuf messages compare and hash by value, so a node renamed while it sits in a
/// set or dictionary key would otherwise be lost.
/// </summary>
internal sealed class NodeIdentity : IEqualityComparer<NodeProto>
{
    public static NodeIdentity Instance { get; } = new();

    public bool Equals(NodeProto? x, NodeProto? y) => ReferenceEquals(x, y);

    public int GetHashCode(NodeProto obj) => RuntimeHelpers.GetHashCode(obj);
}
