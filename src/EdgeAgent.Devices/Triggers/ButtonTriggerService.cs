using EdgeAgent.Devices.Gpio;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Devices.Triggers;

/// <summary>Keeps the button trigger subscribed for the host's lifetime.</summary>
internal sealed class ButtonTriggerService : IHostedService, IDisposable
{
    private readonly IButton _button;
    private readonly CaptureRequestQueue _queue;
    private readonly ILogger<ButtonCaptureTrigger> _logger;
    private ButtonCaptureTrigger? _trigger;

    public ButtonTriggerService(IButton button, CaptureRequestQueue queue, ILogger<ButtonCaptureTrigger> logger)
    {
        _button = button;
        _queue = queue;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _trigger = new ButtonCaptureTrigger(_button, _queue, _logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _trigger?.Dispose();
        _trigger = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _trigger?.Dispose();
}
