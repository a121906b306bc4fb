namespace EdgeAgent.Devices.Status;

/// <summary>
/// Decides what the status LED shows from what the agent reports: working beats a recent error,
/// a recent error beats offline, offline beats ready. An error shows for a while, then clears.
/// </summary>
public sealed class StatusIndicator : IDisposable
{
    private readonly IStatusLed _led;
    private readonly TimeSpan _errorDuration;
    private readonly ITimer _errorTimer;
    private readonly Lock _gate = new();
    private bool _online = true;
    private bool _started;
    private int _busy;
    private bool _error;

    public StatusIndicator(IStatusLed led, TimeSpan errorDuration, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(led);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _led = led;
        _errorDuration = errorDuration;
        _errorTimer = timeProvider.CreateTimer(_ => ClearError(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public DeviceStatus Status => _led.Status;

    /// <summary>The agent can take captures from now on.</summary>
    public void Started()
    {
        lock (_gate) { _started = true; Update(); }
    }

    /// <summary>Called by the agent when the hub connection is lost or back.</summary>
    public void SetOnline(bool online)
    {
        lock (_gate) { _online = online; Update(); }
    }

    public void BeginWork()
    {
        lock (_gate) { _busy++; Update(); }
    }

    /// <param name="succeeded">False when the capture failed or the frame was rejected.</param>
    public void EndWork(bool succeeded)
    {
        lock (_gate)
        {
            _busy = Math.Max(0, _busy - 1);
            if (!succeeded && _errorDuration > TimeSpan.Zero)
            {
                _error = true;
                _errorTimer.Change(_errorDuration, Timeout.InfiniteTimeSpan);
            }
            else if (succeeded)
            {
                _error = false;
            }

            Update();
        }
    }

    private void ClearError()
    {
        lock (_gate) { _error = false; Update(); }
    }

    private void Update() => _led.Show(
        !_started ? DeviceStatus.Off
        : _busy > 0 ? DeviceStatus.Working
        : _error ? DeviceStatus.Error
        : !_online ? DeviceStatus.Offline
        : DeviceStatus.Ready);

    public void Dispose() => _errorTimer.Dispose();
}
