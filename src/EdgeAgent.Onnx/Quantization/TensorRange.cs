namespace EdgeAgent.Onnx.Quantization;

/// <summary>The float interval an activation is quantized over.</summary>
public readonly record struct TensorRange(float Min, float Max);
