using Microsoft.Extensions.Logging;

namespace EdgeAgent.Inference;

/// <summary>Source-generated log messages of the inference library.</summary>
internal static partial class InferenceLog
{
    [LoggerMessage(EventId = 100, Message = "ONNX Runtime [{Category}] {Message} ({CodeLocation})")]
    public static partial void OrtMessage(ILogger logger, LogLevel level, string category, string codeLocation, string message);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information,
        Message = "Execution provider {Provider} in use for model {Model} (intra-op threads {Intra}, inter-op threads {Inter}, optimisation {Optimisation})")]
    public static partial void ProviderChosen(ILogger logger, string provider, string model, int intra, int inter, string optimisation);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Execution provider {Provider} not used: {Reason}")]
    public static partial void ProviderRejected(ILogger logger, string provider, string reason);
}
