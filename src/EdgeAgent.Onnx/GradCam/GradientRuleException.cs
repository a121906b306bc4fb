namespace EdgeAgent.Onnx.GradCam;

/// <summary>Raised inside a derivative rule; the differentiator adds the node's name, op type and position.</summary>
internal sealed class GradientRuleException(string reason) : Exception(reason);
