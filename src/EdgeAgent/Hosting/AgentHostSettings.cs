namespace EdgeAgent.Hosting;

/// <summary>Where the agent's configuration comes from, beyond appsettings.json and EDGEAGENT_ environment variables.</summary>
public sealed record AgentHostSettings
{
    /// <summary>An extra JSON file (from --config), read after appsettings.json.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Command-line settings such as --Input:WatchFolder=/srv/xray, applied after environment variables.</summary>
    public IReadOnlyList<string> CommandLine { get; init; } = [];

    /// <summary>Settings applied last (the demo, the benchmark and tests use these).</summary>
    public IReadOnlyDictionary<string, string?>? Overrides { get; init; }

    /// <summary>
    /// When Model:Path is not configured, serve the model the agent ships (assembled once under the data directory).
    /// `run` turns it on so a fresh install works out of the box; tests leave it off.
    /// </summary>
    public bool UseShippedModel { get; init; }

    /// <summary>Whether appsettings.json beside the executable is read (tests turn it off).</summary>
    public bool ReadAppSettings { get; init; } = true;
}
