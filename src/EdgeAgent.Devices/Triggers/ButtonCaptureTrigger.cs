using EdgeAgent.Devices.Gpio;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Devices.Triggers;

/// <summary>Asks for a capture each time the push-button is pressed.</summary>
public sealed class ButtonCaptureTrigger : IDisposable
{
    private readonly IButton _button;
    private readonly CaptureRequestQueue _queue;
    private readonly ILogger _logger;

    public ButtonCaptureTrigger(IButton button, CaptureRequestQueue queue, ILogger<ButtonCaptureTrigger> logger)
    {
        ArgumentNullException.ThrowIfNull(button);
        _button = button;
        _queue = queue;
        _logger = logger;
        _button.Pressed += OnPressed;
    }

    private void OnPressed(object? sender, EventArgs e)
    {
        if (!_queue.TryRequest(CaptureTrigger.Button))
        {
            DevicesLog.CaptureRequestDropped(_logger, CaptureTrigger.Button, CaptureRequestQueue.Capacity);
        }
    }

    public void Dispose() => _button.Pressed -= OnPressed;
}
