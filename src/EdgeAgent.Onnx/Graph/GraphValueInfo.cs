namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// Name, element type (ONNX TensorProto.DataType number) and shape of a graph input or output.
/// Shape is null when the rank is unknown; a null dimension is an unnamed unknown size.
/// </summary>
public sealed record GraphValueInfo(string Name, int ElementType, IReadOnlyList<TensorDim?>? Shape);
