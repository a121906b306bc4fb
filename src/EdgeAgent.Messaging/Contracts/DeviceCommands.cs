namespace EdgeAgent.Messaging.Contracts;

/// <summary>Names of the commands a device answers on <c>cmd/{name}</c>.</summary>
public static class DeviceCommands
{
    public const string Resync = "resync";
    public const string Rebirth = "rebirth";
    /// <summary>Suffix of reply topics; the device ignores messages on them.</summary>
    public const string ReplySuffix = "/reply";
}
