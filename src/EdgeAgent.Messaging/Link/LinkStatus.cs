namespace EdgeAgent.Messaging.Link;

/// <summary>A snapshot of the broker link for status and <c>edge-agent status</c>.</summary>
public sealed record LinkStatus
{
    public required bool Connected { get; init; }
    public required string Endpoint { get; init; }
    /// <summary>"5" or "3.1.1" once connected.</summary>
    public string? ProtocolVersion { get; init; }
    public DateTimeOffset? ConnectedSince { get; init; }
    public DateTimeOffset? DisconnectedSince { get; init; }
    /// <summary>Why the last connect failed or the link dropped, in words an operator can act on.</summary>
    public string? LastError { get; init; }
    public int ConsecutiveFailures { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
}
