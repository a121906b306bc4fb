namespace EdgeAgent.Devices.Status;

/// <summary>What the status LED tells the person standing at the device.</summary>
public enum DeviceStatus
{
    /// <summary>LED dark: the agent is not running.</summary>
    Off,

    /// <summary>Steady on: ready to capture.</summary>
    Ready,

    /// <summary>Fast blink: capturing or diagnosing.</summary>
    Working,

    /// <summary>Three quick flashes then a pause: the last capture failed or was rejected.</summary>
    Error,

    /// <summary>A short blip every two seconds: working, but the hub cannot be reached (results are kept).</summary>
    Offline,
}
