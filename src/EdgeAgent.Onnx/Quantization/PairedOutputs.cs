namespace EdgeAgent.Onnx.Quantization;

/// <summary>One sample's logits and CAMs ([K, H, W] flattened; null without a CAM output) from the float and the int8 model.</summary>
public sealed record PairedOutputs(float[] FloatLogits, float[] Int8Logits, float[]? FloatCam, float[]? Int8Cam);
