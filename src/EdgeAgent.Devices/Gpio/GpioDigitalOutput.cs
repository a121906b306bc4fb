using System.Device.Gpio;

namespace EdgeAgent.Devices.Gpio;

/// <summary>An output pin on the board's GPIO controller; left low when disposed.</summary>
public sealed class GpioDigitalOutput : IDigitalOutput
{
    private readonly GpioController _controller;
    private readonly bool _shouldDispose;
    private readonly int _pin;

    public GpioDigitalOutput(GpioController controller, int pin, bool shouldDispose = false)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _controller = controller;
        _pin = pin;
        _shouldDispose = shouldDispose;
        _controller.OpenPin(pin, PinMode.Output, PinValue.Low);
    }

    public void Write(bool high) => _controller.Write(_pin, high ? PinValue.High : PinValue.Low);

    public void Dispose()
    {
        _controller.Write(_pin, PinValue.Low);
        _controller.ClosePin(_pin);
        if (_shouldDispose)
        {
            _controller.Dispose();
        }
    }
}
