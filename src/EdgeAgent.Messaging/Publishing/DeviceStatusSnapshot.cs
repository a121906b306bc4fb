namespace EdgeAgent.Messaging.Publishing;

/// <summary>The agent's side of the status message; the messaging layer adds the outbox and link figures.</summary>
public sealed record DeviceStatusSnapshot
{
    public string? AgentVersion { get; init; }
    public string? ModelName { get; init; }
    public string? ModelVersion { get; init; }
    public string? Provider { get; init; }
    public long Processed { get; init; }
    public long Failed { get; init; }
    public string? LastError { get; init; }
    public IReadOnlyList<string> Alarms { get; init; } = [];
}
