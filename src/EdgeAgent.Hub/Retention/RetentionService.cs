using EdgeAgent.Hub.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hub.Retention;

/// <summary>Runs the retention sweep at start-up and then every Retention:SweepIntervalMinutes.</summary>
public sealed class RetentionService(RetentionOptions options, RetentionSweeper sweeper, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.MaxAgeDays <= 0)
        {
            logger.LogInformation("Retention is off (Retention:MaxAgeDays = 0): results are kept forever.");
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.SweepIntervalMinutes), time);
        do
        {
            try
            {
                await sweeper.SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed sweep deletes nothing more; the next tick tries again.
                logger.LogError(ex, "Retention sweep failed.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
