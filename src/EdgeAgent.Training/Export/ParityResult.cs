namespace EdgeAgent.Training.Export;

/// <summary>Exported ONNX logits vs TorchSharp logits on the same real inputs.</summary>
/// <param name="RelativeError">max |onnx - torch| / max |torch|.</param>
public sealed record ParityResult(int Images, double MaxAbsoluteError, double RelativeError);
