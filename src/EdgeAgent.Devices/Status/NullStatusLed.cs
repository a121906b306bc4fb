namespace EdgeAgent.Devices.Status;

/// <summary>Used when no LED is wired: remembers the status, lights nothing.</summary>
public sealed class NullStatusLed : IStatusLed
{
    public DeviceStatus Status { get; private set; }

    public void Show(DeviceStatus status) => Status = status;

    public void Dispose() { }
}
