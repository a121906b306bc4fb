namespace EdgeAgent.Devices.Gpio;

/// <summary>An input pin held in memory; tests and demos set its level, bounces included.</summary>
public sealed class SimulatedDigitalInput : IDigitalInput
{
    private readonly Lock _gate = new();
    private bool _level;

    public SimulatedDigitalInput(bool initialLevel)
    {
        _level = initialLevel;
    }

    public event EventHandler<bool>? LevelChanged;

    public bool Read()
    {
        lock (_gate) { return _level; }
    }

    /// <summary>Sets the level and, when it changes, reports the edge as the GPIO driver would.</summary>
    public void SetLevel(bool high)
    {
        lock (_gate)
        {
            if (_level == high)
            {
                return;
            }

            _level = high;
        }

        LevelChanged?.Invoke(this, high);
    }

    public void Dispose() { }
}
