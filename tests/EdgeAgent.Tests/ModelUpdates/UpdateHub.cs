using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.ModelUpdates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Tests.ModelUpdates;

/// <summary>The hub's side of an update, as `edge-hub model publish` does it: sign, announce retained, serve chunks; and a watcher of the device's model/status.</summary>
internal sealed class UpdateHub : IAsyncDisposable
{
    private readonly MqttLink _link;
    private readonly ChunkServer _server;
    private readonly string _site;
    private readonly ConcurrentQueue<(string State, DateTimeOffset At)> _states = new();
    private readonly ConcurrentQueue<int> _requested = new();

    private UpdateHub(MqttLink link, string site)
    {
        _link = link;
        _site = site;
        _server = new ChunkServer(link, site, NullLogger.Instance);
    }

    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public IReadOnlyCollection<string> States => [.. _states.Select(s => s.State)];

    /// <summary>Chunk indices devices asked for (every request, repeats included) since the last <see cref="ClearRequests"/>.</summary>
    public IReadOnlyCollection<int> RequestedChunks => _requested;

    public static async Task<UpdateHub> StartAsync(string url, string site, string device)
    {
        var link = new MqttLink(Options.Create(new MqttOptions
        {
            Url = url, Site = site, DeviceId = "hub", ClientId = $"hub-{Guid.NewGuid():N}",
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100), ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        }), NullLogger<MqttLink>.Instance, TimeProvider.System);
        var hub = new UpdateHub(link, site);
        link.MessageReceived += e =>
        {
            if (e.ApplicationMessage.Topic == Topics.ModelStatus(site, device))
            {
                var status = JsonSerializer.Deserialize(e.ApplicationMessage.Payload.ToArray(), ModelUpdatesJsonContext.Default.ModelUpdateStatus)!;
                hub._states.Enqueue((status.State, status.At));
            }
            else if (e.ApplicationMessage.Topic == UpdateTopics.ChunkRequests(site))
            {
                // The chunk server subscribed to the requests on this same link; this only records what was asked for.
                hub._requested.Enqueue(JsonSerializer.Deserialize(e.ApplicationMessage.Payload.ToArray(), ModelUpdatesJsonContext.Default.ChunkRequest)!.Index);
            }
            return Task.CompletedTask;
        };
        await link.StartAsync(CancellationToken.None);
        await link.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await hub._server.StartAsync(CancellationToken.None);
        await link.AddSubscriptionAsync(Topics.ModelStatus(site, device), CancellationToken.None);
        return hub;
    }

    public string WritePublicKey(string path)
    {
        File.WriteAllText(path, Key.ExportSubjectPublicKeyInfoPem());
        return path;
    }

    public async Task<UpdateManifest> AnnounceAsync(string zip, string version, bool rollback = false, ECDsa? signer = null)
    {
        var manifest = PackageChunker.Describe(zip, "test-gap-untrained", version, 4096, TimeProvider.System) with { Rollback = rollback };
        _server.Offer(manifest, zip);
        await _link.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.ModelAnnounce(_site))
            .WithPayload(UpdateSigner.Serialize(UpdateSigner.Sign(manifest, signer ?? Key)))
            .WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), CancellationToken.None);
        return manifest;
    }

    /// <summary>
    /// Waits for a model/status whose state starts with <paramref name="prefix"/>; returns it. With <paramref name="since"/>,
    /// only statuses the device stamped at or after that moment count (not a late one from a process killed before it).
    /// </summary>
    public async Task<string> WaitForStateAsync(string prefix, TimeSpan? timeout = null, DateTimeOffset? since = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_states.FirstOrDefault(s => s.State.StartsWith(prefix, StringComparison.Ordinal) && s.At >= (since ?? DateTimeOffset.MinValue)) is { State: { } found })
            {
                return found;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"no model status starting '{prefix}'; saw: {string.Join(" | ", States)}");
    }

    /// <summary>The states the device stamped at or after <paramref name="since"/>, in arrival order.</summary>
    public IReadOnlyList<string> StatesSince(DateTimeOffset since) => [.. _states.Where(s => s.At >= since).Select(s => s.State)];

    public void ClearStates() => _states.Clear();

    public void ClearRequests() => _requested.Clear();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _link.DisposeAsync();
        Key.Dispose();
    }
}
