using System.Device.Gpio;

namespace EdgeAgent.Devices.Gpio;

/// <summary>An input pin on the board's GPIO controller (libgpiod on Raspberry Pi OS and JetPack).</summary>
public sealed class GpioDigitalInput : IDigitalInput
{
    private readonly GpioController _controller;
    private readonly bool _shouldDispose;
    private readonly int _pin;

    /// <param name="controller">The board's controller; shared controllers are left open unless <paramref name="shouldDispose"/>.</param>
    /// <param name="pin">GPIO number (BCM numbering on a Raspberry Pi).</param>
    /// <param name="pullUp">Use the internal pull-up (a button to ground) instead of the pull-down.</param>
    public GpioDigitalInput(GpioController controller, int pin, bool pullUp, bool shouldDispose = false)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _controller = controller;
        _pin = pin;
        _shouldDispose = shouldDispose;
        var mode = pullUp ? PinMode.InputPullUp : PinMode.InputPullDown;
        if (!controller.IsPinModeSupported(pin, mode))
        {
            mode = PinMode.Input; // Jetson header pins have no internal pulls: an external resistor is needed.
        }

        _controller.OpenPin(pin, mode);
        _controller.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, OnPinChanged);
    }

    public event EventHandler<bool>? LevelChanged;

    public bool Read() => _controller.Read(_pin) == PinValue.High;

    public void Dispose()
    {
        _controller.UnregisterCallbackForPinValueChangedEvent(_pin, OnPinChanged);
        _controller.ClosePin(_pin);
        if (_shouldDispose)
        {
            _controller.Dispose();
        }
    }

    private void OnPinChanged(object sender, PinValueChangedEventArgs args) =>
        LevelChanged?.Invoke(this, args.ChangeType == PinEventTypes.Rising);
}
