namespace EdgeAgent.Onnx.GradCam;

/// <summary>What a probe run learned about one tensor: its shape, element type and, for small integer tensors, its values.</summary>
internal sealed record TensorFacts(long[] Shape, int ElemType, long[]? IntValues)
{
    public int Rank => Shape.Length;

    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
