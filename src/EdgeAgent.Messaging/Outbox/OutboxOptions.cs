namespace EdgeAgent.Messaging.Outbox;

/// <summary>Configuration section <c>Outbox</c>: where the durable outbox lives and how much it may hold.</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>SQLite file of the outbox.</summary>
    public string Path { get; set; } = "data/outbox.db";

    /// <summary>At this many unsent results the outbox reports full and the agent pauses intake.</summary>
    public int MaxPendingCount { get; set; } = 100_000;

    /// <summary>At this many stored payload bytes (unsent plus kept) the outbox reports full; kept results are pruned first.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>An unsent result older than this raises the <c>outbox-stale</c> alarm (it is never dropped).</summary>
    public TimeSpan MaxPendingAge { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long results acknowledged by the broker are kept so that <c>resync</c> can send them again.</summary>
    public TimeSpan PublishedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How many entries one drain step reads and marks published in one transaction.</summary>
    public int BatchSize { get; set; } = 100;
}
