using System.Reflection;
using EdgeAgent.Messaging.Publishing;
using EdgeAgent.Models.Updates;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Hosting;

/// <summary>Feeds the MQTT status topic with what the pipeline did and which model and provider run.</summary>
public sealed class AgentStatusSource(PipelineMonitor monitor, ModelHolder models) : IDeviceStatusSource
{
    private static readonly string? Version = typeof(AgentStatusSource).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public DeviceStatusSnapshot GetSnapshot()
    {
        // The model serving now (it changes with a model update).
        var model = models.Current;
        var lastFailure = monitor.Outcomes.LastOrDefault(o => o.Kind == InputOutcomeKind.Failed);
        var alarms = new List<string>();
        if (!model.Manifest.Trained)
        {
            alarms.Add($"model {model.Manifest.Name} is an untrained fixture");
        }

        if (monitor.Fault is { } fault)
        {
            alarms.Add($"pipeline stopped: {fault.Message}");
        }

        return new DeviceStatusSnapshot
        {
            AgentVersion = Version,
            ModelName = model.Manifest.Name,
            ModelVersion = model.Manifest.Version,
            Provider = model.Classifier.Provider,
            Processed = monitor.Count(InputOutcomeKind.Diagnosed) + monitor.Count(InputOutcomeKind.Duplicate),
            Failed = monitor.Count(InputOutcomeKind.Failed),
            LastError = lastFailure is null ? null : $"{lastFailure.FileName}: {lastFailure.Reason}",
            Alarms = alarms,
        };
    }
}
