namespace EdgeAgent.Devices.Triggers;

/// <summary>What asked for a capture.</summary>
public enum CaptureTrigger
{
    Button,
    Interval,

    /// <summary>A remote command (MQTT) or the CLI.</summary>
    Command,
}
