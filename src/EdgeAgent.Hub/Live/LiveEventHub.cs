using System.Collections.Concurrent;
using System.Threading.Channels;

namespace EdgeAgent.Hub.Live;

/// <summary>
/// Fans ingest events out to every open dashboard. Each subscriber has a bounded queue that drops its oldest events
/// when the browser is slow, so a stalled tab never slows ingest down (the dashboard reloads its lists on reconnect).
/// </summary>
public sealed class LiveEventHub
{
    private const int QueueCapacity = 1000;
    private readonly ConcurrentDictionary<Guid, Channel<LiveEvent>> _subscribers = new();

    public static readonly LiveEvent Heartbeat = new("heartbeat", "{}");

    public int SubscriberCount => _subscribers.Count;

    public void Publish(LiveEvent liveEvent)
    {
        foreach (var channel in _subscribers.Values)
        {
            channel.Writer.TryWrite(liveEvent);
        }
    }

    /// <summary>
    /// Reads events until the token is cancelled; the subscription ends with the enumeration. When nothing happened for
    /// <paramref name="idle"/>, a heartbeat event is yielded so the caller can keep the connection visibly alive.
    /// </summary>
    public async IAsyncEnumerable<LiveEvent> SubscribeAsync(TimeSpan idle, TimeProvider time, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _subscribers[id] = channel;
        try
        {
            while (true)
            {
                bool ready;
                using (var timer = new CancellationTokenSource(idle, time))
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token))
                {
                    try
                    {
                        ready = await channel.Reader.WaitToReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        ready = false;
                    }
                }
                if (!ready)
                {
                    yield return Heartbeat;
                    continue;
                }
                while (channel.Reader.TryRead(out var liveEvent))
                {
                    yield return liveEvent;
                }
            }
        }
        finally
        {
            _subscribers.TryRemove(id, out _);
        }
    }
}
