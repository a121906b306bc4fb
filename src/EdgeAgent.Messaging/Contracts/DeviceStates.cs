namespace EdgeAgent.Messaging.Contracts;

/// <summary>Values of <see cref="StatusMessage.State"/>.</summary>
public static class DeviceStates
{
    public const string Online = "online";
    /// <summary>Published by the broker as the Last Will when the link dies without a clean disconnect.</summary>
    public const string Offline = "offline";
    /// <summary>Published by the agent itself on a clean shutdown.</summary>
    public const string Stopped = "stopped";
}
