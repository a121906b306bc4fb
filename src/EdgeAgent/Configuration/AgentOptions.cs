namespace EdgeAgent.Configuration;

/// <summary>Who this agent is and where it keeps its state (configuration section "Agent").</summary>
public sealed class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>Device id used in results and MQTT topics; defaults to the host name.</summary>
    public string DeviceId { get; set; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>Clinic or site id used in results and MQTT topics.</summary>
    public string Site { get; set; } = "default";

    /// <summary>Folder for the ledger, results, processed/ and failed/ (relative paths resolve against the working directory).</summary>
    public string DataDirectory { get; set; } = "data";
}
