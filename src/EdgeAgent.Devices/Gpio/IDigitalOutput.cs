namespace EdgeAgent.Devices.Gpio;

/// <summary>One output pin.</summary>
public interface IDigitalOutput : IDisposable
{
    /// <summary>Drives the pin high (true) or low (false).</summary>
    void Write(bool high);
}
