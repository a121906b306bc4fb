namespace EdgeAgent.Onnx.Quantization;

/// <summary>One preprocessed image [1, C, H, W] for the model's single input; Label is the class index when known.</summary>
public sealed record CalibrationSample(string Source, float[] Tensor, int? Label = null);
