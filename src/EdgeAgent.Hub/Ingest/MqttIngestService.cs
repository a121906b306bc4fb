using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Channels;
using EdgeAgent.Hub.Api;
using EdgeAgent.Hub.Configuration;
using EdgeAgent.Hub.Live;
using EdgeAgent.Hub.Storage;
using EdgeAgent.Messaging.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Hub.Ingest;

/// <summary>
/// Subscribes to every device's status, results, overlays and model status and stores them.
/// Messages are acknowledged by hand, only after the batch holding them is committed: a hub crash before the commit
/// makes the broker redeliver (at-least-once), and the store's idempotency by result id makes the redelivery harmless.
/// </summary>
public sealed class MqttIngestService(
    HubOptions options,
    BrokerTarget target,
    IResultStore store,
    OverlayFileStore overlays,
    LiveEventHub live,
    IngestStatistics statistics,
    TimeProvider time,
    ILogger<MqttIngestService> logger) : BackgroundService
{
    private const int MaxBatch = 500;
    private readonly Channel<IngestItem> _queue = Channel.CreateBounded<IngestItem>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    private readonly TaskCompletionSource _firstSubscription = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the hub has subscribed for the first time (tests and the bench wait for it).</summary>
    public Task Subscribed => _firstSubscription.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += async e =>
        {
            e.AutoAcknowledge = false;
            var message = e.ApplicationMessage;
            await _queue.Writer.WriteAsync(new IngestItem(e, message.Topic, System.Buffers.BuffersExtensions.ToArray(message.Payload)), stoppingToken);
        };
        client.DisconnectedAsync += e =>
        {
            statistics.Connected = false;
            if (e.ClientWasConnected && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Hub lost its broker connection ({Reason}); reconnecting.", e.ReasonString ?? e.Reason.ToString());
            }
            return Task.CompletedTask;
        };

        var writer = Task.Run(() => WriteLoopAsync(stoppingToken), CancellationToken.None);
        try
        {
            await ConnectionLoopAsync(client, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (client.IsConnected)
            {
                try
                {
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None);
                }
                catch (Exception ex)
                {
                    logger.LogDebug(ex, "Disconnect at shutdown failed.");
                }
            }
            _queue.Writer.TryComplete();
            try
            {
                await writer;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task ConnectionLoopAsync(IMqttClient client, CancellationToken stoppingToken)
    {
        var clientOptions = BuildClientOptions();
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!client.IsConnected)
            {
                try
                {
                    await client.ConnectAsync(clientOptions, stoppingToken);
                    await SubscribeAsync(client, stoppingToken);
                    statistics.Connected = true;
                    logger.LogInformation("Hub connected to broker {Host}:{Port} (TLS {Tls}) and subscribed.", target.Host, target.Port, target.UseTls);
                    _firstSubscription.TrySetResult();
                    delay = TimeSpan.FromMilliseconds(250);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Hub cannot reach broker {Host}:{Port}: {Error}. Retrying in {Delay}.", target.Host, target.Port, ex.Message, delay);
                    await Task.Delay(delay, time, stoppingToken);
                    // Exponential back-off with jitter, capped at 30 s, so many hubs do not reconnect in lockstep.
                    var next = Math.Min(delay.TotalMilliseconds * 2, 30_000);
                    delay = TimeSpan.FromMilliseconds(next * (0.8 + 0.4 * Random.Shared.NextDouble()));
                    continue;
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
        }
    }

    private async Task SubscribeAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        // Results and overlays go through a shared subscription on an external broker so that several hubs split them.
        // Status and model status are retained, and brokers do not deliver retained messages to shared subscriptions,
        // so every hub subscribes to those directly (they are small, and applying them twice is harmless).
        var shared = options.Broker.Mode == BrokerOptions.ExternalMode ? $"$share/{options.Broker.ShareGroup}/" : "";
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.AllStatus).WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic(Topics.Root + "/+/+/model/status").WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic(shared + Topics.AllResults).WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic(shared + Topics.AllOverlays).WithAtLeastOnceQoS())
            .Build();
        var reply = await client.SubscribeAsync(subscribe, cancellationToken);
        var plain = new MqttClientSubscribeOptionsBuilder();
        var fallback = false;
        foreach (var item in reply.Items)
        {
            if (item.ResultCode == MqttClientSubscribeResultCode.SharedSubscriptionsNotSupported && shared.Length > 0)
            {
                // Each hub then receives every result; harmless (results are idempotent by id) but no load sharing.
                logger.LogWarning("Broker does not support shared subscriptions; subscribing to {Topic} without sharing.", item.TopicFilter.Topic);
                var topic = item.TopicFilter.Topic[shared.Length..];
                plain = plain.WithTopicFilter(f => f.WithTopic(topic).WithAtLeastOnceQoS());
                fallback = true;
            }
            else if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                throw new InvalidOperationException($"Broker refused subscription '{item.TopicFilter.Topic}': {item.ResultCode}.");
            }
        }
        if (fallback)
        {
            var second = await client.SubscribeAsync(plain.Build(), cancellationToken);
            var refused = second.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2);
            if (refused is not null)
            {
                throw new InvalidOperationException($"Broker refused subscription '{refused.TopicFilter.Topic}': {refused.ResultCode}.");
            }
        }
    }

    private MqttClientOptions BuildClientOptions()
    {
        var broker = options.Broker;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(target.Host, target.Port)
            .WithClientId(broker.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            // A persistent session: while the hub restarts, the broker keeps its QoS 1 results for a week.
            .WithSessionExpiryInterval((uint)TimeSpan.FromDays(7).TotalSeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (broker.Mode == BrokerOptions.ExternalMode)
        {
            if (broker.Username is not null)
            {
                builder = builder.WithCredentials(broker.Username, BrokerSecrets.ReadPassword(broker));
            }
            if (target.UseTls)
            {
                builder = builder.WithTlsOptions(tls =>
                {
                    tls.UseTls();
                    tls.WithTargetHost(target.Host);
                    if (broker.CaFile is not null)
                    {
                        var chain = new X509Certificate2Collection();
                        chain.ImportFromPemFile(broker.CaFile);
                        tls.WithTrustChain(chain);
                    }
                });
            }
        }
        return builder.Build();
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<IngestItem>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            await StoreWithRetryAsync(batch, stoppingToken);
            foreach (var item in batch)
            {
                try
                {
                    await item.Args.AcknowledgeAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogDebug(ex, "Acknowledging {Topic} failed; the broker will redeliver it.", item.Topic);
                }
            }
        }
    }

    /// <summary>
    /// Retries a batch until the store takes it (database restarting, disk briefly full). Meanwhile nothing is
    /// acknowledged and the queue fills, so the broker holds the backlog; nothing is dropped. Re-processing a
    /// batch is safe: results are idempotent and statuses carry their birth sequence.
    /// </summary>
    private async Task StoreWithRetryAsync(List<IngestItem> batch, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                await ProcessBatchAsync(batch, stoppingToken);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Storing a batch of {Count} messages failed; retrying in {Delay} (nothing is acknowledged meanwhile).", batch.Count, delay);
                await Task.Delay(delay, time, stoppingToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 30_000));
            }
        }
    }

    private async Task ProcessBatchAsync(List<IngestItem> batch, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var results = new List<ResultMessage>();
        var events = new List<LiveEvent>();
        foreach (var item in batch)
        {
            var topic = HubTopic.Parse(item.Topic);
            if (topic is null)
            {
                Refuse(item.Topic, "the topic is not one the hub understands");
                continue;
            }
            switch (topic.Kind)
            {
                case HubTopicKind.Result:
                    if (TryReadResult(item, topic) is { } result)
                    {
                        results.Add(result);
                    }
                    break;
                case HubTopicKind.Overlay:
                    if (await overlays.SaveAsync(topic.ResultId!, item.Payload, cancellationToken))
                    {
                        statistics.AddOverlay();
                        events.Add(new LiveEvent("overlay", JsonSerializer.Serialize(new { resultId = topic.ResultId }, JsonSerializerOptions.Web)));
                    }
                    else
                    {
                        statistics.AddRefused();
                    }
                    break;
                case HubTopicKind.Status:
                    if (TryReadStatus(item, topic) is { } status)
                    {
                        var device = await store.ApplyStatusAsync(status, now, cancellationToken);
                        if (device is not null)
                        {
                            events.Add(new LiveEvent("device", JsonSerializer.Serialize(ApiViews.Device(device), JsonSerializerOptions.Web)));
                        }
                    }
                    break;
                case HubTopicKind.ModelStatus:
                    if (item.Payload.Length == 0)
                    {
                        break; // a cleared retained message
                    }
                    var text = System.Text.Encoding.UTF8.GetString(item.Payload);
                    var updated = await store.ApplyModelUpdateAsync(topic.Site, topic.DeviceId, text, now, cancellationToken);
                    events.Add(new LiveEvent("device", JsonSerializer.Serialize(ApiViews.Device(updated), JsonSerializerOptions.Web)));
                    break;
            }
        }

        var stored = await store.AddResultsAsync(results, now, cancellationToken);
        statistics.AddResults(results.Count, stored.Count);
        foreach (var result in stored)
        {
            events.Add(new LiveEvent("result", JsonSerializer.Serialize(ApiViews.Summary(result), JsonSerializerOptions.Web)));
        }
        foreach (var liveEvent in events)
        {
            live.Publish(liveEvent);
        }
    }

    private ResultMessage? TryReadResult(IngestItem item, HubTopic topic)
    {
        ResultMessage? result;
        try
        {
            result = JsonSerializer.Deserialize(item.Payload, MessagingJsonContext.Default.ResultMessage);
        }
        catch (JsonException ex)
        {
            // The payload is patient data: log where it failed, never its content.
            Refuse(item.Topic, $"the result JSON is invalid at {ex.Path ?? "$"} (line {ex.LineNumber}, byte {ex.BytePositionInLine})");
            return null;
        }
        if (result is null)
        {
            Refuse(item.Topic, "the result payload is empty");
            return null;
        }
        if (!ResultIdRules.IsValid(result.ResultId))
        {
            Refuse(item.Topic, "resultId is empty, longer than 128 characters or has characters outside A-Z a-z 0-9 - _ .");
            return null;
        }
        if (result.Site != topic.Site || result.DeviceId != topic.DeviceId)
        {
            Refuse(item.Topic, $"the payload's site/deviceId ({result.Site}/{result.DeviceId}) differ from the topic's");
            return null;
        }
        if (result.SchemaVersion > ResultMessage.CurrentSchemaVersion)
        {
            logger.LogWarning("Result {ResultId} has schemaVersion {Version}, newer than this hub's {Known}; storing the fields it knows.",
                result.ResultId, result.SchemaVersion, ResultMessage.CurrentSchemaVersion);
        }
        return result;
    }

    private StatusMessage? TryReadStatus(IngestItem item, HubTopic topic)
    {
        if (item.Payload.Length == 0)
        {
            return null; // a cleared retained status
        }
        StatusMessage? status;
        try
        {
            status = JsonSerializer.Deserialize(item.Payload, MessagingJsonContext.Default.StatusMessage);
        }
        catch (JsonException ex)
        {
            Refuse(item.Topic, $"the status JSON is invalid at {ex.Path ?? "$"}");
            return null;
        }
        if (status is null || status.Site != topic.Site || status.DeviceId != topic.DeviceId)
        {
            Refuse(item.Topic, "the status payload is empty or its site/deviceId differ from the topic's");
            return null;
        }
        return status;
    }

    private void Refuse(string topic, string reason)
    {
        statistics.AddRefused();
        logger.LogWarning("Message on {Topic} refused: {Reason}.", topic, reason);
    }

    private sealed record IngestItem(MqttApplicationMessageReceivedEventArgs Args, string Topic, byte[] Payload);
}
