namespace EdgeAgent.Devices.Gpio;

/// <summary>An output pin held in memory that remembers every level written to it, and when.</summary>
public sealed class SimulatedDigitalOutput : IDigitalOutput
{
    private readonly TimeProvider _timeProvider;
    private readonly List<(DateTimeOffset At, bool High)> _writes = [];
    private readonly Lock _gate = new();

    public SimulatedDigitalOutput(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    public bool Level
    {
        get { lock (_gate) { return _writes.Count > 0 && _writes[^1].High; } }
    }

    /// <summary>Every write, in order, with the time it happened.</summary>
    public IReadOnlyList<(DateTimeOffset At, bool High)> Writes
    {
        get { lock (_gate) { return [.. _writes]; } }
    }

    public void Write(bool high)
    {
        lock (_gate) { _writes.Add((_timeProvider.GetUtcNow(), high)); }
    }

    public void Dispose() => Write(false);
}
