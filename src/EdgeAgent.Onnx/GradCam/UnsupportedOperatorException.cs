namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// Thrown when a node on the differentiated path (between the target feature map and the class scores) has no
/// derivative rule, or uses a feature of its op the rule does not cover. Never replaced by a silent wrong answer.
/// </summary>
public sealed class UnsupportedOperatorException : Exception
{
    public UnsupportedOperatorException(string nodeName, string opType, int nodeIndex, string reason)
        : base($"Cannot differentiate node '{nodeName}' (op {opType}, node #{nodeIndex} of the graph): {reason}")
    {
        NodeName = nodeName;
        OpType = opType;
        NodeIndex = nodeIndex;
    }

    public UnsupportedOperatorException() : base("Unsupported operator on the differentiated path.")
    {
        NodeName = OpType = string.Empty;
    }

    public UnsupportedOperatorException(string message) : base(message)
    {
        NodeName = OpType = string.Empty;
    }

    public UnsupportedOperatorException(string message, Exception innerException) : base(message, innerException)
    {
        NodeName = OpType = string.Empty;
    }

    public string NodeName { get; }

    public string OpType { get; }

    public int NodeIndex { get; }
}
