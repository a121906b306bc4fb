namespace EdgeAgent.Devices.Gpio;

/// <summary>One input pin: its level and a notification whenever it changes.</summary>
public interface IDigitalInput : IDisposable
{
    /// <summary>True when the pin reads high.</summary>
    bool Read();

    /// <summary>Raised on every edge the hardware reports, bounces included; the argument is the new level.</summary>
    event EventHandler<bool>? LevelChanged;
}
