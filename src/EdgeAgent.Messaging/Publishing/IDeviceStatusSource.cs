namespace EdgeAgent.Messaging.Publishing;

/// <summary>Implemented by the agent: what it has processed and which model and provider it runs, for the status topic.</summary>
public interface IDeviceStatusSource
{
    DeviceStatusSnapshot GetSnapshot();
}
