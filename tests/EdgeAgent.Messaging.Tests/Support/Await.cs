using System.Diagnostics;
using EdgeAgent.Messaging.Link;

namespace EdgeAgent.Messaging.Tests.Support;

internal static class Await
{
    /// <summary>Completes when the link reports a status that satisfies the condition (its StatusChanged event).</summary>
    public static async Task<LinkStatus> LinkAsync(MqttLink link, Func<LinkStatus, bool> condition, TimeSpan timeout, string what)
    {
        var reached = new TaskCompletionSource<LinkStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(LinkStatus s)
        {
            if (condition(s))
            {
                reached.TrySetResult(s);
            }
        }
        link.StatusChanged += OnChange;
        try
        {
            OnChange(link.Status);
            return await reached.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"link never reached: {what}; last status {link.Status}");
        }
        finally
        {
            link.StatusChanged -= OnChange;
        }
    }

    /// <summary>
    /// For state that lives in another component's SQLite file and raises no event (outbox depth):
    /// a bounded poll every 20 ms.
    /// </summary>
    public static async Task ConditionAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"not reached within {timeout.TotalSeconds} s: {what}");
            }
            await Task.Delay(20);
        }
    }
}
