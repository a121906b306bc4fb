using System.Threading.Channels;
using EdgeAgent.Devices.Watchdog;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Devices.Tests;

public sealed class HealthGatedWatchdogTests
{
    private static readonly TimeSpan WatchdogSec = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private sealed class RecordingNotifier(bool enabled) : ISystemdNotifier
    {
        public List<string> Sent { get; } = [];

        public bool IsEnabled => enabled;

        public void Notify(ServiceState state)
        {
            lock (Sent) { Sent.Add(state.ToString()); }
        }

        public string[] Snapshot()
        {
            lock (Sent) { return [.. Sent]; }
        }
    }

    /// <summary>A health source the test switches, which tells the test each time it was asked.</summary>
    private sealed class SwitchableHealth : IPipelineHealth
    {
        private readonly Channel<bool> _checks = Channel.CreateUnbounded<bool>();

        public volatile PipelineHealth Current = PipelineHealth.Healthy;

        public PipelineHealth Check()
        {
            var current = Current;
            _checks.Writer.TryWrite(current.IsHealthy);
            return current;
        }

        public async Task<bool> NextCheckAsync() => await _checks.Reader.ReadAsync().AsTask().WaitAsync(Wait);
    }

    [Fact]
    public async Task Pings_at_half_the_watchdog_timeout_only_while_the_pipeline_is_healthy()
    {
        var clock = new FakeTimeProvider();
        var notifier = new RecordingNotifier(enabled: true);
        var health = new SwitchableHealth();
        using var watchdog = new HealthGatedWatchdog(notifier, health, WatchdogSec, clock, NullLogger<HealthGatedWatchdog>.Instance);
        Assert.Equal(TimeSpan.FromSeconds(15), watchdog.PingInterval);

        await watchdog.StartAsync(CancellationToken.None);
        Assert.True(await health.NextCheckAsync()); // first check at start
        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.True(await health.NextCheckAsync());

        health.Current = PipelineHealth.Unhealthy("model session failed");
        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.False(await health.NextCheckAsync());
        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.False(await health.NextCheckAsync());
        var whileUnhealthy = notifier.Snapshot();

        health.Current = PipelineHealth.Healthy;
        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.True(await health.NextCheckAsync());
        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.True(await health.NextCheckAsync()); // the previous iteration has finished notifying
        await watchdog.StopAsync(CancellationToken.None);

        Assert.Equal(["WATCHDOG=1", "WATCHDOG=1", "STATUS=unhealthy: model session failed"], whileUnhealthy);
        Assert.Equal(
            ["WATCHDOG=1", "WATCHDOG=1", "STATUS=unhealthy: model session failed", "WATCHDOG=1", "STATUS=ready"],
            notifier.Snapshot().Take(5));
    }

    [Fact]
    public async Task Sends_nothing_when_not_running_under_systemd()
    {
        var notifier = new RecordingNotifier(enabled: false);
        var health = new SwitchableHealth();
        using var watchdog = new HealthGatedWatchdog(notifier, health, WatchdogSec, new FakeTimeProvider(), NullLogger<HealthGatedWatchdog>.Instance);

        await watchdog.StartAsync(CancellationToken.None);
        await watchdog.ExecuteTask!.WaitAsync(Wait);

        Assert.Empty(notifier.Snapshot());
    }

    [Fact]
    public async Task Sends_nothing_when_the_unit_sets_no_watchdog()
    {
        var notifier = new RecordingNotifier(enabled: true);
        using var watchdog = new HealthGatedWatchdog(notifier, new SwitchableHealth(), watchdogTimeout: null, new FakeTimeProvider(), NullLogger<HealthGatedWatchdog>.Instance);

        await watchdog.StartAsync(CancellationToken.None);
        await watchdog.ExecuteTask!.WaitAsync(Wait);

        Assert.Empty(notifier.Snapshot());
    }
}
