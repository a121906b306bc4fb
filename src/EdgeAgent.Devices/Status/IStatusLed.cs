namespace EdgeAgent.Devices.Status;

/// <summary>Shows the device's status to the person at the device.</summary>
public interface IStatusLed : IDisposable
{
    DeviceStatus Status { get; }

    void Show(DeviceStatus status);
}
