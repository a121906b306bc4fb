namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>How a device fetches chunks.</summary>
public sealed record ChunkDownloadOptions
{
    /// <summary>Requests outstanding at once (pipelining hides the round trip).</summary>
    public int Window { get; init; } = 4;

    /// <summary>A request unanswered this long is sent again (lost on a broker restart, hub busy).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Cap on the transfer rate in bytes per second; 0 = uncapped.</summary>
    public long MaxBytesPerSecond { get; init; }

    /// <summary>A chunk whose sha256 fails this many times in a row ends the transfer as rejected (the hub's file differs from what it signed).</summary>
    public int MaxBadChunks { get; init; } = 3;
}
