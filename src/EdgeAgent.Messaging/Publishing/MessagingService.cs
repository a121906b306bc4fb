using EdgeAgent.Messaging.Link;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Messaging.Publishing;

/// <summary>
/// The hosted service that runs the messaging side of the agent: the link, the outbox drain, the
/// status topic and the command channel. A loop that throws is logged and restarted (it does not
/// stop the host: the outbox keeps everything meanwhile). On shutdown it publishes <c>stopped</c>
/// and disconnects cleanly, so the broker does not send the Last Will.
/// </summary>
public sealed class MessagingService : BackgroundService
{
    private readonly MqttLink _link;
    private readonly ResultPublisher _publisher;
    private readonly StatusReporter _status;
    private readonly CommandHandler _commands;
    private readonly ILogger<MessagingService> _logger;
    private readonly TimeProvider _time;

    public MessagingService(MqttLink link, ResultPublisher publisher, StatusReporter status, CommandHandler commands,
        ILogger<MessagingService> logger, TimeProvider time)
    {
        _link = link;
        _publisher = publisher;
        _status = status;
        _commands = commands;
        _logger = logger;
        _time = time;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _link.SetWill(_status.Topic, _status.WillPayload());
        _link.Connected += async ct => await _status.PublishBirthAsync(ct);
        await _commands.SubscribeAsync(cancellationToken);
        await _link.StartAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _link.StopAsync(_link.IsConnected ? _status.StoppedMessage() : null, cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        KeepRunningAsync("publisher", _publisher.RunAsync, stoppingToken),
        KeepRunningAsync("status", _status.RunAsync, stoppingToken),
        KeepRunningAsync("commands", _commands.RunAsync, stoppingToken));

    private async Task KeepRunningAsync(string name, Func<CancellationToken, Task> loop, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await loop(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                MessagingLog.LoopFailed(_logger, name, MqttLink.Describe(ex));
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
