using Microsoft.Extensions.Logging;

namespace EdgeAgent;

/// <summary>Source-generated log messages of the agent executable.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Model {Model} loaded from {Path} on {Provider} (CAM output: {HasCam})")]
    public static partial void ModelLoaded(ILogger logger, string model, string path, string provider, bool hasCam);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Model {Model} is an UNTRAINED fixture: its results are not diagnoses")]
    public static partial void UntrainedModel(ILogger logger, string model);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Watching {WatchFolder} (max in flight {MaxInFlight}, after processing: {After}); results in {Results}")]
    public static partial void Watching(ILogger logger, string watchFolder, int maxInFlight, string after, string results);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "{File}: {Label} ({Confidence:P1}) result {ResultId} in {TotalMs:F0} ms")]
    public static partial void Diagnosed(ILogger logger, string file, string label, double confidence, string resultId, double totalMs);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "{File}: rejected before the model (result {ResultId}): {Reasons}")]
    public static partial void Rejected(ILogger logger, string file, string resultId, string reasons);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "{File}: same content as {Original} (result {ResultId}); not diagnosed again")]
    public static partial void Duplicate(ILogger logger, string file, string original, string resultId);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "{File}: result {ResultId} was already committed before a restart; recorded and moved, not diagnosed again")]
    public static partial void Recovered(ILogger logger, string file, string resultId);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "{File}: quarantined in {FailedPath} ({Stage}): {Reason}")]
    public static partial void Quarantined(ILogger logger, string file, string failedPath, string stage, string reason);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "{File}: left in the watch folder for a later try: {Reason}")]
    public static partial void Deferred(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "File-system watcher error on {WatchFolder}; relying on rescans")]
    public static partial void WatcherError(ILogger logger, Exception exception, string watchFolder);

    [LoggerMessage(EventId = 16, Level = LogLevel.Error, Message = "{File}: unexpected failure while processing")]
    public static partial void UnexpectedFailure(ILogger logger, Exception exception, string file);

    [LoggerMessage(EventId = 17, Level = LogLevel.Critical, Message = "The input pipeline stopped on an unexpected error; the agent exits with code 1 so its supervisor restarts it")]
    public static partial void PipelineCrashed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 18, Level = LogLevel.Error, Message = "Rescan of {WatchFolder} failed")]
    public static partial void RescanFailed(ILogger logger, Exception exception, string watchFolder);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "Camera capture ({Trigger}) failed: {Reason}")]
    public static partial void CaptureFailed(ILogger logger, string trigger, string reason);
}
