namespace EdgeAgent.Devices.Watchdog;

/// <summary>Whether the agent's pipeline is doing its job, and if not, why.</summary>
public sealed record PipelineHealth(bool IsHealthy, string? Problem)
{
    public static PipelineHealth Healthy { get; } = new(true, null);

    public static PipelineHealth Unhealthy(string problem) => new(false, problem);
}
