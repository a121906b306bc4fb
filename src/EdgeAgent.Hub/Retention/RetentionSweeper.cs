using EdgeAgent.Hub.Configuration;
using EdgeAgent.Hub.Storage;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hub.Retention;

/// <summary>
/// Deletes results acquired more than Retention:MaxAgeDays ago, with their overlays, and overlay files older than that
/// whose result never arrived. Results acquired at or after the cutoff are never touched.
/// </summary>
public sealed class RetentionSweeper(RetentionOptions options, IResultStore store, OverlayFileStore overlays, TimeProvider time, ILogger<RetentionSweeper> logger)
{
    /// <summary>Runs one sweep; returns how many results were deleted (0 when retention is off).</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        if (options.MaxAgeDays <= 0)
        {
            return 0;
        }
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.MaxAgeDays);
        var deleted = await store.DeleteResultsAcquiredBeforeAsync(cutoff, cancellationToken);
        foreach (var id in deleted)
        {
            overlays.Delete(id);
        }
        var orphans = 0;
        foreach (var id in overlays.IdsWrittenBefore(cutoff).ToList())
        {
            if (await store.GetResultAsync(id, cancellationToken) is null)
            {
                overlays.Delete(id);
                orphans++;
            }
        }
        if (deleted.Count > 0 || orphans > 0)
        {
            logger.LogInformation("Retention deleted {Count} results acquired before {Cutoff:O} and {Orphans} orphan overlays.", deleted.Count, cutoff, orphans);
        }
        return deleted.Count;
    }
}
