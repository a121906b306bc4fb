namespace EdgeAgent.Devices.Status;

/// <summary>A repeating sequence of on/off steps that shows one <see cref="DeviceStatus"/>.</summary>
public sealed record LedPattern(IReadOnlyList<LedStep> Steps)
{
    public static LedPattern For(DeviceStatus status) => status switch
    {
        DeviceStatus.Off => Steady(false),
        DeviceStatus.Ready => Steady(true),
        DeviceStatus.Working => new([new(true, Ms(100)), new(false, Ms(100))]),
        DeviceStatus.Error => new([
            new(true, Ms(150)), new(false, Ms(150)),
            new(true, Ms(150)), new(false, Ms(150)),
            new(true, Ms(150)), new(false, Ms(1050))]),
        DeviceStatus.Offline => new([new(true, Ms(100)), new(false, Ms(1900))]),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown status."),
    };

    /// <summary>A single step held until the status changes.</summary>
    public bool IsSteady => Steps.Count == 1;

    private static LedPattern Steady(bool on) => new([new(on, Timeout.InfiniteTimeSpan)]);

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
