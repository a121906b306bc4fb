using System.Buffers;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.Tests.Support;

/// <summary>One message as a test client saw it.</summary>
internal sealed record ReceivedMessage(string Topic, byte[] Payload, string? ContentType, IReadOnlyDictionary<string, string> UserProperties, bool Retain, byte[]? CorrelationData)
{
    public string Text => Encoding.UTF8.GetString(Payload);
}

/// <summary>
/// An independent MQTT client that records what it receives (in arrival order) and lets a test await
/// a condition over it. With a persistent session it reconnects by itself after a broker restart.
/// </summary>
internal sealed class TestSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly List<ReceivedMessage> _messages = [];
    private readonly Lock _gate = new();
    private readonly MqttClientOptions _options;
    private readonly string[] _filters;
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestSubscriber(int port, string clientId, bool persistent, string[] filters)
    {
        _filters = filters;
        var builder = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId);
        _options = (persistent ? builder.WithCleanStart(false).WithSessionExpiryInterval(3600) : builder.WithCleanStart(true)).Build();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            var properties = (m.UserProperties ?? []).ToDictionary(p => p.Name, p => Encoding.UTF8.GetString(p.ValueBuffer.Span));
            Add(new ReceivedMessage(m.Topic, m.Payload.ToArray(), m.ContentType, properties, m.Retain, m.CorrelationData));
            return Task.CompletedTask;
        };
        if (persistent)
        {
            // Reconnect from a separate task, never inside the handler.
            _client.DisconnectedAsync += e =>
            {
                _ = Task.Run(() => ReconnectAsync());
                return Task.CompletedTask;
            };
        }
    }

    public IMqttClient Client => _client;

    public static async Task<TestSubscriber> ConnectAsync(int port, params string[] filters) =>
        await ConnectAsync(port, "test-sub-" + Guid.NewGuid().ToString("N")[..8], persistent: false, filters);

    public static async Task<TestSubscriber> ConnectAsync(int port, string clientId, bool persistent, params string[] filters)
    {
        var subscriber = new TestSubscriber(port, clientId, persistent, filters);
        await subscriber._client.ConnectAsync(subscriber._options);
        await subscriber.SubscribeAsync();
        return subscriber;
    }

    public IReadOnlyList<ReceivedMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public async Task<IReadOnlyList<ReceivedMessage>> WaitForAsync(Func<IReadOnlyList<ReceivedMessage>, bool> condition, TimeSpan timeout, string what)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            IReadOnlyList<ReceivedMessage> snapshot;
            lock (_gate)
            {
                next = _changed.Task;
                snapshot = [.. _messages];
            }
            if (condition(snapshot))
            {
                return snapshot;
            }
            try
            {
                await next.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {what} within {timeout.TotalSeconds} s; received {snapshot.Count} messages");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task SubscribeAsync()
    {
        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in _filters)
        {
            builder = builder.WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        }
        await _client.SubscribeAsync(builder.Build());
    }

    private async Task ReconnectAsync()
    {
        while (!_stop.IsCancellationRequested && !_client.IsConnected)
        {
            try
            {
                var result = await _client.ConnectAsync(_options, _stop.Token);
                if (!result.IsSessionPresent)
                {
                    await SubscribeAsync();
                }
                return;
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                await Task.Delay(100);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Add(ReceivedMessage message)
    {
        lock (_gate)
        {
            _messages.Add(message);
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
