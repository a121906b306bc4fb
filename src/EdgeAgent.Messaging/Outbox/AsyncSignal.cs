namespace EdgeAgent.Messaging.Outbox;

/// <summary>An auto-reset signal that can be awaited: Set wakes one waiter, or the next one if none waits.</summary>
internal sealed class AsyncSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _current = NewSource();

    public void Set()
    {
        lock (_gate)
        {
            _current.TrySetResult();
        }
    }

    /// <summary>Completes when the signal is set or the timeout passes; returns true if it was set.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Task waiter;
        lock (_gate)
        {
            waiter = _current.Task;
        }
        try
        {
            await waiter.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return false;
        }
        lock (_gate)
        {
            if (_current.Task == waiter)
            {
                _current = NewSource();
            }
        }
        return true;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
