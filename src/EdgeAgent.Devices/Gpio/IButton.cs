namespace EdgeAgent.Devices.Gpio;

/// <summary>A push-button that reports each deliberate press once.</summary>
public interface IButton : IDisposable
{
    event EventHandler? Pressed;
}
