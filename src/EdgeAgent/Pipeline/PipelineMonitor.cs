using System.Collections.Concurrent;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Counts what the pipeline did and lets callers (the demo, the benchmark, tests, a watchdog) wait for it.
/// </summary>
public sealed class PipelineMonitor(TimeProvider clock)
{
    private readonly ConcurrentQueue<InputOutcome> outcomes = new();
    private readonly Lock gate = new();
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int pending;

    public IReadOnlyCollection<InputOutcome> Outcomes => outcomes;

    /// <summary>Files seen and not yet finished (settling, queued or being processed).</summary>
    public int Pending => Volatile.Read(ref pending);

    public int Count(InputOutcomeKind kind) => outcomes.Count(o => o.Kind == kind);

    /// <summary>When the pipeline last finished a file or started watching; a watchdog can compare it with the backlog.</summary>
    public DateTimeOffset LastProgress { get; private set; } = clock.GetUtcNow();

    /// <summary>True once the watcher is running and the first rescan has queued what was already there.</summary>
    public bool Started { get; private set; }

    /// <summary>The exception that stopped the pipeline, if one did.</summary>
    public Exception? Fault { get; private set; }

    internal void MarkStarted()
    {
        Started = true;
        Signal();
    }

    internal void Enter() => Interlocked.Increment(ref pending);

    internal void Leave()
    {
        Interlocked.Decrement(ref pending);
        Signal();
    }

    internal void Record(InputOutcome outcome)
    {
        outcomes.Enqueue(outcome);
        LastProgress = clock.GetUtcNow();
        Signal();
    }

    internal void MarkFaulted(Exception exception)
    {
        Fault = exception;
        Signal();
    }

    /// <summary>Waits until <paramref name="condition"/> holds; false when <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitUntilAsync(Func<PipelineMonitor, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            Task next;
            lock (gate)
            {
                next = changed.Task;
            }

            if (condition(this))
            {
                return true;
            }

            try
            {
                await next.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return condition(this);
            }
        }
    }

    private void Signal()
    {
        TaskCompletionSource done;
        lock (gate)
        {
            done = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
    }
}
