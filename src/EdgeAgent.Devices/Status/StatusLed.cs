using EdgeAgent.Devices.Gpio;

namespace EdgeAgent.Devices.Status;

/// <summary>Plays the <see cref="LedPattern"/> of the current status on an output pin, timed by a <see cref="TimeProvider"/>.</summary>
public sealed class StatusLed : IStatusLed
{
    private readonly IDigitalOutput _output;
    private readonly ITimer _stepTimer;
    private readonly Lock _gate = new();
    private LedPattern _pattern = LedPattern.For(DeviceStatus.Off);
    private int _step;
    private bool _disposed;

    /// <param name="output">The LED's pin; owned (disposed) by this LED.</param>
    public StatusLed(IDigitalOutput output, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _output = output;
        _stepTimer = timeProvider.CreateTimer(_ => NextStep(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _output.Write(false);
    }

    public DeviceStatus Status { get; private set; }

    public void Show(DeviceStatus status)
    {
        lock (_gate)
        {
            if (_disposed || status == Status)
            {
                return;
            }

            Status = status;
            _pattern = LedPattern.For(status);
            _step = 0;
            Apply();
        }
    }

    private void NextStep()
    {
        lock (_gate)
        {
            if (_disposed || _pattern.IsSteady)
            {
                return;
            }

            _step = (_step + 1) % _pattern.Steps.Count;
            Apply();
        }
    }

    private void Apply()
    {
        var step = _pattern.Steps[_step];
        _output.Write(step.On);
        _stepTimer.Change(step.Duration, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stepTimer.Dispose();
        }

        _output.Dispose();
    }
}
