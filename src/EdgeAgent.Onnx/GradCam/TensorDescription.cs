namespace EdgeAgent.Onnx.GradCam;

/// <summary>One graph input or output: name, element type and dimensions (symbolic ones by name).</summary>
public sealed record TensorDescription(string Name, string ElementType, IReadOnlyList<string> Dims, bool IsGradientOutput);
