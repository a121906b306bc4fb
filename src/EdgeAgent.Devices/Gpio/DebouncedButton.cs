namespace EdgeAgent.Devices.Gpio;

/// <summary>
/// Turns a bouncing contact into clean presses: a press counts once the pin has stayed at the
/// pressed level for the whole debounce time with no further edge; it counts again only after
/// the pin has stayed released for the debounce time.
/// </summary>
public sealed class DebouncedButton : IButton
{
    private readonly IDigitalInput _input;
    private readonly bool _activeLow;
    private readonly TimeSpan _debounce;
    private readonly ITimer _settleTimer;
    private readonly Lock _gate = new();
    private bool _pressed;
    private bool _disposed;

    /// <param name="input">The pin; owned (disposed) by this button.</param>
    /// <param name="activeLow">The pin reads low while the button is held (button to ground with pull-up).</param>
    public DebouncedButton(IDigitalInput input, bool activeLow, TimeSpan debounce, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(debounce, TimeSpan.Zero);
        _input = input;
        _activeLow = activeLow;
        _debounce = debounce;
        _settleTimer = timeProvider.CreateTimer(_ => Settle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _pressed = IsPressedLevel(input.Read());
        _input.LevelChanged += OnLevelChanged;
    }

    public event EventHandler? Pressed;

    private void OnLevelChanged(object? sender, bool high)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                // Every edge restarts the wait: only a level that holds still is believed.
                _settleTimer.Change(_debounce, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Settle()
    {
        bool raise;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var pressedNow = IsPressedLevel(_input.Read());
            raise = pressedNow && !_pressed;
            _pressed = pressedNow;
        }

        if (raise)
        {
            Pressed?.Invoke(this, EventArgs.Empty);
        }
    }

    private bool IsPressedLevel(bool high) => high != _activeLow;

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _input.LevelChanged -= OnLevelChanged;
        _settleTimer.Dispose();
        _input.Dispose();
    }
}
