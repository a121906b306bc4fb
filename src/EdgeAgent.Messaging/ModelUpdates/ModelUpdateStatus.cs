namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>Retained on <c>edgeagent/v1/{site}/{device}/model/status</c>: what the device did with an offered update.</summary>
public sealed record ModelUpdateStatus
{
    /// <summary>Human-readable state: "downloading 40%", "verified", "active", "rejected: bad signature", "rolled back: NaN outputs".</summary>
    public required string State { get; init; }

    /// <summary>Version the update offers (null when the announcement could not be read).</summary>
    public string? Version { get; init; }

    /// <summary>Version the device is serving right now.</summary>
    public string? ActiveVersion { get; init; }

    public string? Sha256 { get; init; }

    public int? Percent { get; init; }

    public required DateTimeOffset At { get; init; }
}
