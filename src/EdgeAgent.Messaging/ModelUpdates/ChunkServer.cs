using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using EdgeAgent.Messaging.Link;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>
/// Hub side: answers <see cref="ChunkRequest"/>s for offered packages. Requests are handled off the MQTT
/// receive path, up to <c>maxConcurrent</c> at once, so many devices download in parallel; the chunk is read
/// from the file at request time (nothing large is held in memory).
/// </summary>
public sealed class ChunkServer : IAsyncDisposable
{
    private readonly MqttLink _link;
    private readonly string _site;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, (UpdateManifest Manifest, string Path)> _offers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _bytesByDevice = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private long _chunksServed;

    public ChunkServer(MqttLink link, string site, ILogger logger, int maxConcurrent = 16)
    {
        _link = link;
        _site = site;
        _logger = logger;
        _slots = new SemaphoreSlim(maxConcurrent);
    }

    public long ChunksServed => Interlocked.Read(ref _chunksServed);

    /// <summary>Bytes sent per response topic (one per device).</summary>
    public IReadOnlyDictionary<string, long> BytesByDevice => _bytesByDevice;

    public void Offer(UpdateManifest manifest, string packagePath) => _offers[manifest.Sha256] = (manifest, packagePath);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _link.MessageReceived += OnMessageAsync;
        await _link.AddSubscriptionAsync(UpdateTopics.ChunkRequests(_site), cancellationToken);
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        if (e.ApplicationMessage.Topic != UpdateTopics.ChunkRequests(_site))
        {
            return Task.CompletedTask;
        }
        var message = e.ApplicationMessage;
        if (string.IsNullOrEmpty(message.ResponseTopic) || message.CorrelationData is null)
        {
            _logger.LogWarning("Chunk request without response topic or correlation data ignored (MQTT 5 is required)");
            return Task.CompletedTask;
        }
        var task = Task.Run(() => ServeAsync(message.Payload.ToArray(), message.ResponseTopic, message.CorrelationData, _stopping.Token));
        _running[task] = 0;
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
        return Task.CompletedTask;
    }

    private async Task ServeAsync(byte[] payload, string responseTopic, byte[] correlation, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            var response = new MqttApplicationMessageBuilder()
                .WithTopic(responseTopic)
                .WithCorrelationData(correlation)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            ChunkRequest? request = null;
            try
            {
                request = JsonSerializer.Deserialize(payload, ModelUpdatesJsonContext.Default.ChunkRequest);
            }
            catch (JsonException)
            {
                // answered below as an error
            }
            if (request is null || !_offers.TryGetValue(request.Sha256, out var offer))
            {
                response.WithUserProperty(UpdateTopics.ErrorProperty, Encoding.UTF8.GetBytes("unknown package").AsMemory());
            }
            else if (request.Index < 0 || request.Index >= offer.Manifest.ChunkCount)
            {
                response.WithUserProperty(UpdateTopics.ErrorProperty, Encoding.UTF8.GetBytes($"index {request.Index} out of range").AsMemory());
            }
            else
            {
                var length = offer.Manifest.ChunkLength(request.Index);
                var buffer = new byte[length];
                using (var handle = File.OpenHandle(offer.Path))
                {
                    var read = await RandomAccess.ReadAsync(handle, buffer, (long)request.Index * offer.Manifest.ChunkSize, cancellationToken);
                    if (read != length)
                    {
                        throw new IOException($"{offer.Path} is shorter than its manifest says (chunk {request.Index})");
                    }
                }
                response.WithPayload(buffer).WithUserProperty(UpdateTopics.IndexProperty, Encoding.UTF8.GetBytes(request.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)).AsMemory());
                _bytesByDevice.AddOrUpdate(responseTopic, length, (_, total) => total + length);
                Interlocked.Increment(ref _chunksServed);
            }
            await _link.PublishAsync(response.Build(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The device times out and asks again.
            _logger.LogWarning("Chunk for {ResponseTopic} not served: {Reason}", responseTopic, MqttLink.Describe(ex));
        }
        finally
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _link.MessageReceived -= OnMessageAsync;
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_running.Keys);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        _stopping.Dispose();
        _slots.Dispose();
    }
}
