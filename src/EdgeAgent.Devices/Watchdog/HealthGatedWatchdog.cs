using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Devices.Watchdog;

/// <summary>
/// Feeds systemd's watchdog (WATCHDOG=1) at half the unit's WatchdogSec, but only while the
/// pipeline reports healthy. A stuck or broken pipeline stops the pings, and systemd restarts the
/// service (Restart=on-failure). The reason is shown in `systemctl status` through STATUS=.
/// </summary>
public sealed class HealthGatedWatchdog : BackgroundService
{
    private static readonly ServiceState Ping = new("WATCHDOG=1");

    private readonly ISystemdNotifier _notifier;
    private readonly IPipelineHealth _health;
    private readonly TimeSpan? _watchdogTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <param name="watchdogTimeout">The unit's WatchdogSec; null when systemd set none (then nothing is sent).</param>
    public HealthGatedWatchdog(
        ISystemdNotifier notifier,
        IPipelineHealth health,
        TimeSpan? watchdogTimeout,
        TimeProvider timeProvider,
        ILogger<HealthGatedWatchdog> logger)
    {
        _notifier = notifier;
        _health = health;
        _watchdogTimeout = watchdogTimeout;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The watchdog timeout systemd passes in WATCHDOG_USEC, when it is meant for this process.</summary>
    public static TimeSpan? TimeoutFromEnvironment()
    {
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }

    /// <summary>How often the health is checked and the watchdog fed.</summary>
    public TimeSpan? PingInterval => _watchdogTimeout / 2;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_notifier.IsEnabled || PingInterval is not { } interval)
        {
            DevicesLog.WatchdogInactive(_logger);
            return;
        }

        using var timer = new PeriodicTimer(interval, _timeProvider);
        var wasHealthy = true;
        try
        {
            do
            {
                var health = _health.Check();
                if (health.IsHealthy)
                {
                    _notifier.Notify(Ping);
                    if (!wasHealthy)
                    {
                        DevicesLog.PipelineRecovered(_logger);
                        _notifier.Notify(new ServiceState("STATUS=ready"));
                    }
                }
                else if (wasHealthy)
                {
                    var problem = health.Problem ?? "pipeline unhealthy";
                    DevicesLog.WatchdogWithheld(_logger, problem, _watchdogTimeout!.Value);
                    _notifier.Notify(new ServiceState("STATUS=unhealthy: " + problem.ReplaceLineEndings(" ")));
                }

                wasHealthy = health.IsHealthy;
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down: SystemdLifetime sends STOPPING=1.
        }
    }
}
