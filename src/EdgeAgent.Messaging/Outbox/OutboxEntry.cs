namespace EdgeAgent.Messaging.Outbox;

/// <summary>What the outbox knows about one result, without its payload (for listings).</summary>
public sealed record OutboxEntry
{
    /// <summary>Insertion order; ties in <see cref="AcquiredAt"/> are broken by it.</summary>
    public required long Sequence { get; init; }
    public required string ResultId { get; init; }
    public required OutboxEntryState State { get; init; }
    public required DateTimeOffset AcquiredAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public required int Attempts { get; init; }
    public string? LastError { get; init; }
    /// <summary>Payload bytes stored: result JSON plus overlay.</summary>
    public required long Bytes { get; init; }
    public required bool HasOverlay { get; init; }
}
