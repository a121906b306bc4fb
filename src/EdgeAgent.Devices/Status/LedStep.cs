namespace EdgeAgent.Devices.Status;

/// <summary>The LED on or off for a time (infinite for a steady state).</summary>
public sealed record LedStep(bool On, TimeSpan Duration);
