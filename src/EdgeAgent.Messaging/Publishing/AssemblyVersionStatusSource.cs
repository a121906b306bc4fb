using System.Reflection;

namespace EdgeAgent.Messaging.Publishing;

/// <summary>
/// The status source used until the agent registers its own: it knows only the running program's
/// version, and reports no model and zero counts (which is the truth for a host that processes nothing).
/// </summary>
public sealed class AssemblyVersionStatusSource : IDeviceStatusSource
{
    private readonly DeviceStatusSnapshot _snapshot = new()
    {
        AgentVersion = (Assembly.GetEntryAssembly() ?? typeof(AssemblyVersionStatusSource).Assembly)
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
    };

    public DeviceStatusSnapshot GetSnapshot() => _snapshot;
}
