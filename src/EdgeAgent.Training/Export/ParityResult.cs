namespace EdgeAgent.Training.Export;

/// <summary>Exported ONNX logits vs TorchSharp logits on the same real inputs.</summary>
/// <param name="RelativeError">max |onnx - torch| / max |torch|.</param>
public sealed record ParityResult(int Images, double MaxAbsoluteError, double RelativeError)
{
    /// <summary>max |onnx features − torch pooled target layer| / max |torch pooled|; null when the model has no features output.</summary>
    public double? FeatureRelativeError { get; init; }
}
