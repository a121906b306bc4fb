namespace EdgeAgent.Messaging.Tests.Support;

/// <summary>A clock the test moves by hand (only for time-based rules: ages, retention).</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
