using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using EdgeAgent.Messaging.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Link;

/// <summary>
/// The device's one connection to the broker. A loop owns (re)connecting with exponential back-off
/// and jitter; the MQTTnet DisconnectedAsync handler only records the drop and wakes the loop
/// (reconnecting inside it can deadlock). Subscriptions are restored on every connect, and
/// <see cref="Connected"/> handlers run from the loop (birth message, drain) once a session is up.
/// </summary>
public sealed class MqttLink : IAsyncDisposable
{
    private readonly MqttOptions _options;
    private readonly MqttEndpoint _endpoint;
    private readonly ILogger<MqttLink> _logger;
    private readonly TimeProvider _time;
    private readonly IMqttClient _client;
    private readonly TlsCheck? _tls;
    private readonly AsyncSignal _dropped = new();
    private readonly Lock _gate = new();
    private readonly List<string> _subscriptions = [];
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LinkStatus _status;
    private MqttProtocolVersion _protocol;
    private (string Topic, byte[] Payload)? _will;
    private CancellationTokenSource? _loopCancellation;
    private int _publishesInFlight;
    private volatile bool _stopping;
    private long _lastAcknowledgedTicks;
    private long _brokerMaximumPacketSize;
    private Task? _loop;

    public MqttLink(IOptions<MqttOptions> options, ILogger<MqttLink> logger, TimeProvider time)
    {
        _options = options.Value;
        if (!MqttEndpoint.TryParse(_options.Url, out var endpoint, out var error))
        {
            throw new OptionsValidationException(MqttOptions.SectionName, typeof(MqttOptions), [error!]);
        }
        _endpoint = endpoint!;
        _logger = logger;
        _time = time;
        _protocol = _options.ProtocolVersion == "3.1.1" ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500;
        if (_endpoint.UseTls)
        {
            X509Certificate2Collection? cas = null;
            if (_options.CaFile is not null)
            {
                cas = [];
                cas.ImportFromPemFile(_options.CaFile);
            }
            _tls = new TlsCheck(cas, _options.CertificatePin is null ? null : CertificatePin.Normalize(_options.CertificatePin));
        }
        _status = new LinkStatus { Connected = false, Endpoint = _endpoint.ToString() };
        _client = new MqttClientFactory().CreateMqttClient();
        _client.DisconnectedAsync += OnDisconnectedAsync;
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    /// <summary>Raised from the connection loop after each successful connect and re-subscribe.</summary>
    public event Func<CancellationToken, Task>? Connected;

    /// <summary>Raised after every change of <see cref="Status"/> (connected, dropped, a connect failure).</summary>
    public event Action<LinkStatus>? StatusChanged;

    /// <summary>Raised for every message on a subscribed topic.</summary>
    public event Func<MqttApplicationMessageReceivedEventArgs, Task>? MessageReceived;

    public MqttEndpoint Endpoint => _endpoint;

    public bool IsConnected => _client.IsConnected;

    /// <summary>The protocol of the current (or last) session; MQTT 5 features are skipped under 3.1.1.</summary>
    public MqttProtocolVersion ProtocolVersion => _protocol;

    /// <summary>The largest packet the broker accepts, as its MQTT 5 CONNACK advertised it; null when it set no limit (or under 3.1.1).</summary>
    public long? BrokerMaximumPacketSize => Interlocked.Read(ref _brokerMaximumPacketSize) is > 0 and var size ? size : null;

    public LinkStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>The Last Will (retained, QoS 1) registered with every connect. Set before <see cref="StartAsync"/>.</summary>
    public void SetWill(string topic, byte[] payload) => _will = (topic, payload);

    /// <summary>Subscribes now (if connected) and again after every reconnect, at QoS 1, without echo of own messages.</summary>
    public async Task AddSubscriptionAsync(string topicFilter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _subscriptions.Add(topicFilter);
        }
        if (_client.IsConnected)
        {
            await SubscribeAsync([topicFilter], cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("MqttLink is already started");
        }
        if (!_endpoint.UseTls && !_endpoint.IsLoopback)
        {
            MessagingLog.PlaintextLink(_logger, _endpoint.ToString());
        }
        _loopCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _loop = Task.Run(() => RunAsync(_loopCancellation.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Completes when a session is up (immediately if it is).</summary>
    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _connected.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Publishes and waits for the broker's acknowledgement (QoS 1), bounded by Mqtt:OperationTimeout.</summary>
    public async Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            throw new LinkUnavailableException();
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.OperationTimeout);
        Interlocked.Increment(ref _publishesInFlight);
        try
        {
            var result = await _client.PublishAsync(message, timeout.Token);
            Interlocked.Exchange(ref _lastAcknowledgedTicks, _time.GetTimestamp());
            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LinkUnavailableException($"no acknowledgement within {_options.OperationTimeout.TotalSeconds:0.#} s for {message.Topic}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not LinkUnavailableException)
        {
            throw new LinkUnavailableException($"publish to {message.Topic} failed: {Describe(ex)}", ex);
        }
        finally
        {
            Interlocked.Decrement(ref _publishesInFlight);
        }
    }

    /// <summary>Stops the loop; with <paramref name="lastWords"/>, publishes it (e.g. status "stopped") before a clean disconnect, so the Will is not sent.</summary>
    public async Task StopAsync(MqttApplicationMessage? lastWords, CancellationToken cancellationToken)
    {
        _stopping = true;
        if (_loopCancellation is not null)
        {
            await _loopCancellation.CancelAsync();
        }
        if (_loop is not null)
        {
            await _loop;
        }
        if (!_client.IsConnected)
        {
            return;
        }
        try
        {
            if (lastWords is not null)
            {
                await PublishAsync(lastWords, cancellationToken);
            }
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder()
                .WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            MessagingLog.CleanDisconnectFailed(_logger, Describe(ex));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(null, CancellationToken.None);
        _client.Dispose();
        _loopCancellation?.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    await ConnectOnceAsync(cancellationToken);
                    failures = 0;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    failures++;
                    var delay = Backoff(failures);
                    var reason = _tls?.TakeLastFailure() is { } tls ? $"TLS: {tls}" : Describe(ex);
                    SetStatus(s => s with
                    {
                        Connected = false, LastError = reason, ConsecutiveFailures = failures,
                        NextAttemptAt = _time.GetUtcNow() + delay,
                    });
                    MessagingLog.ConnectFailed(_logger, _endpoint.ToString(), reason, failures, delay.TotalSeconds);
                    try
                    {
                        await Task.Delay(delay, _time, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    continue;
                }
            }
            try
            {
                // Wake on a drop at once; otherwise check an idle session every keep-alive period
                // (a ping would queue behind a large publish in flight and time out for no fault of the link).
                if (!await _dropped.WaitAsync(_options.KeepAlive, _time, cancellationToken)
                    && _client.IsConnected && IsIdle() && !await _client.TryPingAsync(cancellationToken))
                {
                    MessagingLog.PingFailed(_logger, _endpoint.ToString());
                    await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex)
            {
                MessagingLog.PingFailed(_logger, Describe(ex));
            }
        }
    }

    private async Task ConnectOnceAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.OperationTimeout);
        MqttClientConnectResult result;
        try
        {
            result = await _client.ConnectAsync(BuildClientOptions(), timeout.Token);
        }
        catch (Exception ex) when (_protocol == MqttProtocolVersion.V500 && _options.FallbackTo311 && IsUnsupportedProtocol(ex))
        {
            MessagingLog.ProtocolFallback(_logger, _endpoint.ToString());
            _protocol = MqttProtocolVersion.V311;
            result = await _client.ConnectAsync(BuildClientOptions(), timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no CONNACK within {_options.OperationTimeout.TotalSeconds:0.#} s");
        }
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"broker refused the connection: {result.ResultCode} {result.ReasonString}".TrimEnd() + Hint(result.ResultCode));
        }
        Interlocked.Exchange(ref _brokerMaximumPacketSize, _protocol == MqttProtocolVersion.V500 ? (long)(result.MaximumPacketSize ?? 0) : 0);
        string[] subscriptions;
        lock (_gate)
        {
            subscriptions = [.. _subscriptions];
        }
        if (subscriptions.Length > 0)
        {
            await SubscribeAsync(subscriptions, cancellationToken);
        }
        var now = _time.GetUtcNow();
        var previous = Status;
        SetStatus(s => s with
        {
            Connected = true, ConnectedSince = now, DisconnectedSince = null, ConsecutiveFailures = 0, NextAttemptAt = null,
            ProtocolVersion = _protocol == MqttProtocolVersion.V500 ? "5" : "3.1.1",
        });
        var downFor = previous.DisconnectedSince is { } since ? (now - since).TotalSeconds : 0;
        MessagingLog.LinkUp(_logger, _endpoint.ToString(), Status.ProtocolVersion!, result.IsSessionPresent, downFor);
        lock (_gate)
        {
            _connected.TrySetResult();
        }
        foreach (var handler in Connected?.GetInvocationList().Cast<Func<CancellationToken, Task>>() ?? [])
        {
            try
            {
                await handler(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                MessagingLog.ConnectedHandlerFailed(_logger, Describe(ex));
            }
        }
    }

    private MqttClientOptions BuildClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_endpoint.Host, _endpoint.Port)
            .WithClientId(_options.EffectiveClientId)
            .WithProtocolVersion(_protocol)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.OperationTimeout);
        builder = _protocol == MqttProtocolVersion.V500
            ? builder.WithCleanStart(false).WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            : builder.WithCleanSession(false);
        if (_options.Username is not null)
        {
            builder = builder.WithCredentials(_options.Username, ReadPassword());
        }
        if (_will is { } will)
        {
            builder = builder.WithWillTopic(will.Topic).WithWillPayload(will.Payload).WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            if (_protocol == MqttProtocolVersion.V500)
            {
                builder = builder.WithWillContentType("application/json");
            }
        }
        if (_tls is not null)
        {
            builder = builder.WithTlsOptions(tls =>
            {
                tls.UseTls(true).WithTargetHost(_endpoint.Host).WithCertificateValidationHandler(_tls.Validate);
                if (_options.ClientCertificateFile is not null && _options.ClientKeyFile is not null)
                {
                    tls.WithClientCertificates([X509Certificate2.CreateFromPemFile(_options.ClientCertificateFile, _options.ClientKeyFile)]);
                }
            });
        }
        return builder.Build();
    }

    /// <summary>Read at every connect so a rotated secret is picked up; never logged.</summary>
    private string? ReadPassword()
    {
        if (_options.PasswordFile is not null)
        {
            return File.ReadLines(_options.PasswordFile).FirstOrDefault()?.TrimEnd('\r', '\n') ?? "";
        }
        return _options.PasswordEnvironmentVariable is null ? null : Environment.GetEnvironmentVariable(_options.PasswordEnvironmentVariable);
    }

    private async Task SubscribeAsync(IEnumerable<string> filters, CancellationToken cancellationToken)
    {
        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            builder = builder.WithTopicFilter(new MqttTopicFilterBuilder().WithTopic(filter).WithAtLeastOnceQoS()
                .WithNoLocal(_protocol == MqttProtocolVersion.V500).Build());
        }
        var result = await _client.SubscribeAsync(builder.Build(), cancellationToken);
        foreach (var item in result.Items.Where(i => (int)i.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2))
        {
            MessagingLog.SubscribeRefused(_logger, item.TopicFilter.Topic, item.ResultCode.ToString());
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (e.ClientWasConnected && !_stopping)
        {
            var reason = e.Exception is null ? e.Reason.ToString() : $"{e.Reason}: {Describe(e.Exception)}";
            var now = _time.GetUtcNow();
            lock (_gate)
            {
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            SetStatus(s => s with { Connected = false, DisconnectedSince = now, LastError = $"link dropped ({reason})" });
            MessagingLog.LinkDown(_logger, _endpoint.ToString(), reason);
            _dropped.Set();
        }
        return Task.CompletedTask;
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        foreach (var handler in MessageReceived?.GetInvocationList().Cast<Func<MqttApplicationMessageReceivedEventArgs, Task>>() ?? [])
        {
            try
            {
                await handler(e);
            }
            catch (Exception ex)
            {
                MessagingLog.MessageHandlerFailed(_logger, e.ApplicationMessage.Topic, Describe(ex));
            }
        }
    }

    /// <summary>Exponential from ReconnectMinDelay, capped at ReconnectMaxDelay, with jitter in [50%, 100%] so a fleet does not reconnect in step.</summary>
    private TimeSpan Backoff(int failures)
    {
        var exponent = Math.Min(failures - 1, 20);
        var ceiling = Math.Min(_options.ReconnectMinDelay.TotalMilliseconds * Math.Pow(2, exponent), _options.ReconnectMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() * 0.5));
    }

    private bool IsIdle() =>
        Volatile.Read(ref _publishesInFlight) == 0
        && _time.GetElapsedTime(Interlocked.Read(ref _lastAcknowledgedTicks)) >= _options.KeepAlive;

    private void SetStatus(Func<LinkStatus, LinkStatus> change)
    {
        LinkStatus status;
        lock (_gate)
        {
            status = _status = change(_status);
        }
        StatusChanged?.Invoke(status);
    }

    /// <summary>What an operator should check for a refused CONNACK.</summary>
    private static string Hint(MqttClientConnectResultCode code) => code switch
    {
        MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized =>
            " (check Mqtt:Username, the password in Mqtt:PasswordFile or Mqtt:PasswordEnvironmentVariable, and the broker's ACL for this client)",
        MqttClientConnectResultCode.ClientIdentifierNotValid => " (check Mqtt:ClientId)",
        MqttClientConnectResultCode.UnsupportedProtocolVersion => " (set Mqtt:ProtocolVersion to 3.1.1 or Mqtt:FallbackTo311 to true)",
        MqttClientConnectResultCode.Banned => " (the broker has banned this client)",
        _ => "",
    };

    private static bool IsUnsupportedProtocol(Exception ex) =>
        ex.ToString().Contains(nameof(MqttClientConnectResultCode.UnsupportedProtocolVersion), StringComparison.Ordinal);

    /// <summary>The chain of exception messages, without duplicates, for logs and status.</summary>
    internal static string Describe(Exception ex)
    {
        var parts = new List<string>();
        for (var current = ex; current is not null; current = current.InnerException)
        {
            var text = current.Message.Trim();
            if (text.Length > 0 && !parts.Any(p => p.Contains(text, StringComparison.Ordinal)))
            {
                parts.Add(text);
            }
        }
        return string.Join(" -> ", parts);
    }
}
