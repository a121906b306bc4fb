using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Devices.Triggers;

/// <summary>Asks for a capture at a fixed interval (e.g. a grabber watching the X-ray unit's screen).</summary>
public sealed class IntervalCaptureTrigger : BackgroundService
{
    private readonly CaptureRequestQueue _queue;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private PeriodicTimer? _timer;

    public IntervalCaptureTrigger(CaptureRequestQueue queue, TimeSpan interval, TimeProvider timeProvider, ILogger<IntervalCaptureTrigger> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _queue = queue;
        _interval = interval;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Starts the clock when the host starts, not whenever the background loop gets a thread.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(_interval, _timeProvider);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timer = _timer ?? throw new InvalidOperationException("StartAsync creates the timer.");
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!_queue.TryRequest(CaptureTrigger.Interval))
                {
                    DevicesLog.CaptureRequestDropped(_logger, CaptureTrigger.Interval, CaptureRequestQueue.Capacity);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down.
        }
    }
}
