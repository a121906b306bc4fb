using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using EdgeAgent.Messaging.Link;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>
/// Device side: requests the chunks a <see cref="ChunkStore"/> lacks over MQTT 5 request/response (response
/// topic + correlation data), a few at a time, verifies and stores each, and asks again for whatever a
/// dropped link or restarted broker lost. Only one download runs at a time per instance.
/// </summary>
public sealed class ChunkDownloader : IDisposable
{
    private readonly MqttLink _link;
    private readonly string _site;
    private readonly string _responseTopic;
    private readonly ChunkDownloadOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Guid, int> _pending = new();
    private Channel<(Guid Id, byte[] Payload, string? Error)> _responses = Channel.CreateUnbounded<(Guid, byte[], string?)>();
    private bool _subscribed;

    public ChunkDownloader(MqttLink link, string site, string device, ChunkDownloadOptions options, TimeProvider time)
    {
        _link = link;
        _site = site;
        _responseTopic = UpdateTopics.ChunkResponses(site, device);
        _options = options;
        _time = time;
        _link.MessageReceived += OnMessageAsync;
    }

    /// <summary>Fetches every missing chunk, then assembles and checks the whole file; returns the package path.</summary>
    public async Task<string> DownloadAsync(UpdateManifest manifest, ChunkStore store, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (!_subscribed)
        {
            await _link.AddSubscriptionAsync(_responseTopic, cancellationToken);
            _subscribed = true;
        }
        _pending.Clear();
        _responses = Channel.CreateUnbounded<(Guid, byte[], string?)>();
        var queue = new Queue<int>(store.Missing());
        var inFlight = new Dictionary<Guid, (int Index, long SentAt)>();
        var badChunks = new Dictionary<int, int>();
        var started = _time.GetTimestamp();
        long bytesRequested = 0;
        Report();

        while (queue.Count > 0 || inFlight.Count > 0)
        {
            await _link.WaitUntilConnectedAsync(cancellationToken);
            while (inFlight.Count < _options.Window && queue.Count > 0)
            {
                var index = queue.Peek();
                await ThrottleAsync(bytesRequested, started, cancellationToken);
                var id = Guid.NewGuid();
                _pending[id] = index;
                try
                {
                    await _link.PublishAsync(Request(manifest.Sha256, index, id), cancellationToken);
                }
                catch (LinkUnavailableException)
                {
                    _pending.TryRemove(id, out _);
                    break; // wait for the link, then continue
                }
                queue.Dequeue();
                inFlight[id] = (index, _time.GetTimestamp());
                bytesRequested += manifest.ChunkLength(index);
            }

            if (inFlight.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), _time, cancellationToken);
                continue;
            }

            var oldest = inFlight.Values.Min(v => v.SentAt);
            var wait = _options.RequestTimeout - _time.GetElapsedTime(oldest);
            (Guid Id, byte[] Payload, string? Error)? response = null;
            if (wait > TimeSpan.Zero)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(wait);
                try
                {
                    response = await _responses.Reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // timed out: requeue below
                }
            }

            if (response is { } r && inFlight.Remove(r.Id, out var sent))
            {
                _pending.TryRemove(r.Id, out _);
                if (r.Error is not null)
                {
                    throw new UpdateRejectedException($"hub refused chunk {sent.Index}: {r.Error}");
                }
                if (!store.TryStore(sent.Index, r.Payload))
                {
                    var failures = badChunks[sent.Index] = badChunks.GetValueOrDefault(sent.Index) + 1;
                    if (failures >= _options.MaxBadChunks)
                    {
                        throw new UpdateRejectedException($"chunk {sent.Index} sha256 mismatch ({failures} times)");
                    }
                    queue.Enqueue(sent.Index);
                }
                Report();
            }

            foreach (var (id, entry) in inFlight.Where(p => _time.GetElapsedTime(p.Value.SentAt) >= _options.RequestTimeout).ToList())
            {
                inFlight.Remove(id);
                _pending.TryRemove(id, out _);
                queue.Enqueue(entry.Index);
            }
        }

        return store.Assemble();

        void Report() => progress?.Report(new DownloadProgress(store.ChunksPresent, manifest.ChunkCount, store.BytesPresent, manifest.Size));
    }

    private MqttApplicationMessage Request(string sha256, int index, Guid id) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(UpdateTopics.ChunkRequests(_site))
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(new ChunkRequest { Sha256 = sha256, Index = index }, ModelUpdatesJsonContext.Default.ChunkRequest))
            .WithResponseTopic(_responseTopic)
            .WithCorrelationData(id.ToByteArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();

    /// <summary>Holds the next request until the bytes asked for so far fit the cap.</summary>
    private async Task ThrottleAsync(long bytesRequested, long started, CancellationToken cancellationToken)
    {
        if (_options.MaxBytesPerSecond <= 0)
        {
            return;
        }
        var due = TimeSpan.FromSeconds((double)bytesRequested / _options.MaxBytesPerSecond);
        var ahead = due - _time.GetElapsedTime(started);
        if (ahead > TimeSpan.Zero)
        {
            await Task.Delay(ahead, _time, cancellationToken);
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        if (message.Topic != _responseTopic || message.CorrelationData is not { Length: 16 } correlation)
        {
            return Task.CompletedTask;
        }
        var id = new Guid(correlation);
        if (!_pending.ContainsKey(id))
        {
            return Task.CompletedTask; // a late answer to a request already re-sent
        }
        var property = message.UserProperties?.FirstOrDefault(p => p.Name == UpdateTopics.ErrorProperty);
        string? error = property is null ? null : System.Text.Encoding.UTF8.GetString(property.ValueBuffer.Span);
        _responses.Writer.TryWrite((id, message.Payload.ToArray(), error));
        return Task.CompletedTask;
    }

    public void Dispose() => _link.MessageReceived -= OnMessageAsync;
}
