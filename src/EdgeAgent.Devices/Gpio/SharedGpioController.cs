using System.Device.Gpio;

namespace EdgeAgent.Devices.Gpio;

/// <summary>
/// The board's GPIO controller shared by the button and the LED: opened on first use (so a
/// configuration without pins never touches /dev/gpiochip*), closed with the host.
/// </summary>
public sealed class SharedGpioController : IDisposable
{
    private readonly Lazy<GpioController> _controller = new(() => new GpioController());

    public GpioController Controller => _controller.Value;

    public void Dispose()
    {
        if (_controller.IsValueCreated)
        {
            _controller.Value.Dispose();
        }
    }
}
