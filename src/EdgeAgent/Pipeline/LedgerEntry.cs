namespace EdgeAgent.Pipeline;

/// <summary>One input the agent has finished: its content hash, the result it produced and when.</summary>
public sealed record LedgerEntry(string Sha256, string ResultId, string FileName, string Model, DateTimeOffset ProcessedAt);
