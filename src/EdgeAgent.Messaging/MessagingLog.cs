using Microsoft.Extensions.Logging;

namespace EdgeAgent.Messaging;

/// <summary>Every log line of the messaging layer (source-generated). Secrets never appear in any of them.</summary>
internal static partial class MessagingLog
{
    [LoggerMessage(1, LogLevel.Warning, "MQTT link {Endpoint} is plaintext to a host that is not this machine; results (patient data) travel unencrypted. Use mqtts:// for anything beyond a lab.")]
    public static partial void PlaintextLink(ILogger logger, string endpoint);

    [LoggerMessage(2, LogLevel.Warning, "MQTT connect to {Endpoint} failed: {Reason} (attempt {Failures}); next try in {DelaySeconds:0.0} s")]
    public static partial void ConnectFailed(ILogger logger, string endpoint, string reason, int failures, double delaySeconds);

    [LoggerMessage(3, LogLevel.Information, "MQTT link up: {Endpoint}, MQTT {Protocol}, session present {SessionPresent}, after {DownSeconds:0.0} s down")]
    public static partial void LinkUp(ILogger logger, string endpoint, string protocol, bool sessionPresent, double downSeconds);

    [LoggerMessage(4, LogLevel.Warning, "MQTT link down: {Endpoint} ({Reason}); results queue in the outbox until it returns")]
    public static partial void LinkDown(ILogger logger, string endpoint, string reason);

    [LoggerMessage(5, LogLevel.Warning, "MQTT ping to {Endpoint} failed; dropping the session to reconnect")]
    public static partial void PingFailed(ILogger logger, string endpoint);

    [LoggerMessage(6, LogLevel.Warning, "Broker {Endpoint} does not speak MQTT 5; falling back to 3.1.1 (Mqtt:FallbackTo311)")]
    public static partial void ProtocolFallback(ILogger logger, string endpoint);

    [LoggerMessage(7, LogLevel.Warning, "Clean MQTT disconnect failed: {Reason}")]
    public static partial void CleanDisconnectFailed(ILogger logger, string reason);

    [LoggerMessage(8, LogLevel.Error, "A handler of the MQTT connect event failed: {Reason}")]
    public static partial void ConnectedHandlerFailed(ILogger logger, string reason);

    [LoggerMessage(9, LogLevel.Error, "Handling a message on {Topic} failed: {Reason}")]
    public static partial void MessageHandlerFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(10, LogLevel.Warning, "Broker refused the subscription to {Topic}: {ResultCode}")]
    public static partial void SubscribeRefused(ILogger logger, string topic, string resultCode);

    [LoggerMessage(20, LogLevel.Warning, "Publishing result {ResultId} failed: {Reason}; it stays queued")]
    public static partial void PublishFailed(ILogger logger, string resultId, string reason);

    [LoggerMessage(21, LogLevel.Information, "Drained {Count} results in {Seconds:0.00} s; {Remaining} still queued")]
    public static partial void Drained(ILogger logger, int count, double seconds, long remaining);

    [LoggerMessage(22, LogLevel.Warning, "Overlay of result {ResultId} not sent: {Reason}; the result goes without it")]
    public static partial void OverlayOmitted(ILogger logger, string resultId, string reason);

    [LoggerMessage(24, LogLevel.Information, "Overlay of result {ResultId} shrunk from {FromBytes} to {ToBytes} bytes: {Reason}")]
    public static partial void OverlayShrunk(ILogger logger, string resultId, int fromBytes, int toBytes, string reason);

    [LoggerMessage(25, LogLevel.Warning, "Shrinking a {Bytes}-byte overlay failed; it is treated as one that cannot be shrunk")]
    public static partial void OverlayShrinkFailed(ILogger logger, Exception exception, int bytes);

    [LoggerMessage(23, LogLevel.Information, "Pruned {Count} kept results past Outbox:PublishedRetention")]
    public static partial void Pruned(ILogger logger, int count);

    [LoggerMessage(30, LogLevel.Information, "Published birth {BirthSequence} on {Topic}")]
    public static partial void Birth(ILogger logger, long birthSequence, string topic);

    [LoggerMessage(31, LogLevel.Warning, "Publishing status failed: {Reason}")]
    public static partial void StatusFailed(ILogger logger, string reason);

    [LoggerMessage(40, LogLevel.Information, "Command {Command} answered: ok={Ok} {Message}")]
    public static partial void CommandAnswered(ILogger logger, string command, bool ok, string? message);

    [LoggerMessage(41, LogLevel.Error, "Messaging loop {Loop} failed and restarts: {Reason}")]
    public static partial void LoopFailed(ILogger logger, string loop, string reason);
}
