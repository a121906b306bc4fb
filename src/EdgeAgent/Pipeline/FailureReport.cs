namespace EdgeAgent.Pipeline;

/// <summary>The &lt;name&gt;.error.json written beside a quarantined input.</summary>
public sealed record FailureReport
{
    public required string File { get; init; }
    public string? Sha256 { get; init; }
    /// <summary>What went wrong and what to do about it, for a person.</summary>
    public required string Reason { get; init; }
    /// <summary>Where it went wrong: read, decode, preprocess, inference, store.</summary>
    public required string Stage { get; init; }
    /// <summary>The technical detail (exception type and message) for whoever maintains the agent.</summary>
    public string? Detail { get; init; }
    public required DateTimeOffset FailedAt { get; init; }
    public required string DeviceId { get; init; }
}
