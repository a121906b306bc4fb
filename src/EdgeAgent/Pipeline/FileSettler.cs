namespace EdgeAgent.Pipeline;

/// <summary>
/// Decides when a file that is still being copied in is complete: its size and modification time stay the same for
/// the settle time, and it can be opened for exclusive access (which fails while a writer holds a lock on it).
/// </summary>
public sealed class FileSettler(TimeProvider clock)
{
    public enum State { Complete, Vanished, StillChanging }

    /// <summary>Waits up to <paramref name="attempts"/> settle periods for <paramref name="path"/> to stop changing.</summary>
    public async Task<State> WaitAsync(string path, TimeSpan settle, int attempts, CancellationToken cancellationToken)
    {
        var before = Snapshot(path);
        for (var i = 0; i < attempts; i++)
        {
            if (before is null)
            {
                return State.Vanished;
            }

            await Task.Delay(settle, clock, cancellationToken);
            var after = Snapshot(path);
            if (after is null)
            {
                return State.Vanished;
            }

            if (after == before && CanOpenExclusively(path))
            {
                return State.Complete;
            }

            before = after;
        }

        return State.StillChanging;
    }

    private static (long Length, DateTime Written)? Snapshot(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : null;
    }

    private static bool CanOpenExclusively(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
