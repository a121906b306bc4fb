using EdgeAgent.Devices.Watchdog;
using EdgeAgent.Models;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Tells the systemd watchdog whether the agent can still diagnose: the model is loaded, the pipeline has started
/// and not crashed, and when work is waiting it has finished something within <see cref="StallLimit"/>.
/// </summary>
public sealed class PipelineHealthSource(PipelineMonitor monitor, LoadedModel model, TimeProvider clock) : IPipelineHealth
{
    /// <summary>Longer than the slowest single image on a Pi (a VGG19-RNN with CAM takes seconds), short enough to catch a hang.</summary>
    public static readonly TimeSpan StallLimit = TimeSpan.FromMinutes(5);

    public PipelineHealth Check()
    {
        if (monitor.Fault is { } fault)
        {
            return PipelineHealth.Unhealthy($"pipeline stopped: {fault.Message}");
        }

        if (!monitor.Started)
        {
            return PipelineHealth.Unhealthy("pipeline not started yet");
        }

        if (monitor.Pending > 0 && clock.GetUtcNow() - monitor.LastProgress > StallLimit)
        {
            return PipelineHealth.Unhealthy($"{monitor.Pending} inputs waiting and none finished for {StallLimit.TotalMinutes:0} minutes (model {model.Manifest.Name})");
        }

        return PipelineHealth.Healthy;
    }
}
