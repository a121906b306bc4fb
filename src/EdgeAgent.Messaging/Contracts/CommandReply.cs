namespace EdgeAgent.Messaging.Contracts;

/// <summary>Answer to a command, sent to the request's response topic (or <c>cmd/{name}/reply</c>) with its correlation data.</summary>
public sealed record CommandReply
{
    public int SchemaVersion { get; init; } = 1;
    public required string Command { get; init; }
    public required bool Ok { get; init; }
    /// <summary>What happened, or why the command was refused.</summary>
    public string? Message { get; init; }
    /// <summary>resync: how many kept results were queued again.</summary>
    public int? Republished { get; init; }
    /// <summary>rebirth: the birth sequence number of the new birth message.</summary>
    public long? BirthSequence { get; init; }
    public string? RequestId { get; init; }
    public DateTimeOffset Timestamp { get; init; }
}
