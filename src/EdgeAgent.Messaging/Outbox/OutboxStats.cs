namespace EdgeAgent.Messaging.Outbox;

/// <summary>A snapshot of the outbox for status, logs and <c>edge-agent outbox stats</c>.</summary>
public sealed record OutboxStats
{
    public required long PendingCount { get; init; }
    public required long PendingBytes { get; init; }
    public required long PublishedCount { get; init; }
    public required long PublishedBytes { get; init; }
    public DateTimeOffset? OldestPendingAcquiredAt { get; init; }
    public TimeSpan? OldestPendingAge { get; init; }
    public DateTimeOffset? LastPublishedAt { get; init; }
    /// <summary>Size of the database file and its WAL on disk.</summary>
    public required long FileBytes { get; init; }
    /// <summary>Why the outbox refuses new results, or null when it accepts them.</summary>
    public string? FullReason { get; init; }
    /// <summary>True when the oldest unsent result is older than <see cref="OutboxOptions.MaxPendingAge"/>.</summary>
    public bool Stale { get; init; }

    public bool IsFull => FullReason is not null;
}
