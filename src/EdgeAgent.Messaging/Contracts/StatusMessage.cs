namespace EdgeAgent.Messaging.Contracts;

/// <summary>Retained device status: the birth message, periodic stats, and the Last Will (State = offline).</summary>
public sealed record StatusMessage
{
    public int SchemaVersion { get; init; } = 1;
    public required string DeviceId { get; init; }
    public required string Site { get; init; }
    /// <summary>online, offline (Last Will) or stopped (clean shutdown).</summary>
    public required string State { get; init; }
    public string? AgentVersion { get; init; }
    public string? ModelName { get; init; }
    public string? ModelVersion { get; init; }
    public string? Provider { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>Increments with every birth, so the hub can tell a reconnect from a stale retained message.</summary>
    public long BirthSequence { get; init; }
    public long Processed { get; init; }
    public long Failed { get; init; }
    public long QueueDepth { get; init; }
    public double? OldestQueuedAgeSeconds { get; init; }
    public string? LastError { get; init; }
    /// <summary>When the broker last acknowledged a result.</summary>
    public DateTimeOffset? LastPublishedAt { get; init; }
    public IReadOnlyList<string> Alarms { get; init; } = [];
    public DateTimeOffset Timestamp { get; init; }
}
