using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.Publishing;

/// <summary>
/// Answers commands on <c>cmd/{name}</c>: <c>resync</c> (queue kept results of a time range again) and
/// <c>rebirth</c> (publish a new birth). Replies go to the request's MQTT 5 response topic with its
/// correlation data, or to <c>cmd/{name}/reply</c>. Messages are handed from the MQTTnet callback to
/// a channel and handled by <see cref="RunAsync"/>, so the client's receive path never waits on a publish.
/// </summary>
public sealed class CommandHandler
{
    private readonly OutboxStore _outbox;
    private readonly MqttLink _link;
    private readonly StatusReporter _status;
    private readonly MqttOptions _options;
    private readonly ILogger<CommandHandler> _logger;
    private readonly TimeProvider _time;
    private readonly Channel<ReceivedCommand> _inbox = Channel.CreateUnbounded<ReceivedCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _prefix;
    private readonly Dictionary<string, IDeviceCommand> _extra;

    public CommandHandler(OutboxStore outbox, MqttLink link, StatusReporter status, IOptions<MqttOptions> options,
        ILogger<CommandHandler> logger, TimeProvider time, IEnumerable<IDeviceCommand> extraCommands)
    {
        _extra = extraCommands.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _outbox = outbox;
        _link = link;
        _status = status;
        _options = options.Value;
        _logger = logger;
        _time = time;
        _prefix = Topics.Command(_options.Site, _options.DeviceId, "");
        _link.MessageReceived += OnMessageAsync;
    }

    public Task SubscribeAsync(CancellationToken cancellationToken) =>
        _link.AddSubscriptionAsync(Topics.CommandFilter(_options.Site, _options.DeviceId), cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var command in _inbox.Reader.ReadAllAsync(cancellationToken))
        {
            var reply = Execute(command, out var name);
            reply = reply with { Command = name, Timestamp = _time.GetUtcNow() };
            if (name == DeviceCommands.Rebirth && reply.Ok)
            {
                try
                {
                    reply = reply with { BirthSequence = await _status.PublishBirthAsync(cancellationToken) };
                }
                catch (LinkUnavailableException ex)
                {
                    reply = reply with { Ok = false, Message = ex.Message };
                }
            }
            MessagingLog.CommandAnswered(_logger, name, reply.Ok, reply.Message);
            var builder = new MqttApplicationMessageBuilder()
                .WithTopic(command.ResponseTopic ?? Topics.CommandReply(_options.Site, _options.DeviceId, name))
                .WithPayload(JsonSerializer.SerializeToUtf8Bytes(reply, MessagingJsonContext.Default.CommandReply))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(false);
            if (_link.ProtocolVersion == MqttProtocolVersion.V500)
            {
                builder = builder.WithContentType("application/json");
                if (command.CorrelationData is { } correlation)
                {
                    builder = builder.WithCorrelationData(correlation);
                }
            }
            try
            {
                await _link.PublishAsync(builder.Build(), cancellationToken);
            }
            catch (LinkUnavailableException ex)
            {
                MessagingLog.StatusFailed(_logger, $"reply to {name}: {ex.Message}");
            }
        }
    }

    private CommandReply Execute(ReceivedCommand command, out string name)
    {
        name = command.Topic[_prefix.Length..];
        CommandRequest request;
        try
        {
            request = command.Payload.Length == 0
                ? new CommandRequest()
                : JsonSerializer.Deserialize(command.Payload, MessagingJsonContext.Default.CommandRequest) ?? new CommandRequest();
        }
        catch (JsonException ex)
        {
            return new CommandReply { Command = name, Ok = false, Message = $"payload is not a command request JSON: {ex.Message}" };
        }
        switch (name)
        {
            case DeviceCommands.Resync:
                if (request.From > request.To)
                {
                    return new CommandReply { Command = name, Ok = false, Message = "from is after to", RequestId = request.RequestId };
                }
                var count = _outbox.Republish(request.From, request.To);
                return new CommandReply
                {
                    Command = name, Ok = true, Republished = count, RequestId = request.RequestId,
                    Message = $"{count} kept results acquired between {request.From?.ToString("O") ?? "the beginning"} and {request.To?.ToString("O") ?? "now"} queued again",
                };
            case DeviceCommands.Rebirth:
                return new CommandReply { Command = name, Ok = true, RequestId = request.RequestId, Message = "birth published" };
            default:
                if (_extra.TryGetValue(name, out var extra))
                {
                    return extra.Execute(request) with { RequestId = request.RequestId };
                }

                return new CommandReply
                {
                    Command = name, Ok = false, RequestId = request.RequestId,
                    Message = $"unknown command '{name}'; known: {string.Join(", ", new[] { DeviceCommands.Resync, DeviceCommands.Rebirth }.Concat(_extra.Keys))}",
                };
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        if (message.Topic.StartsWith(_prefix, StringComparison.Ordinal)
            && !message.Topic.EndsWith(DeviceCommands.ReplySuffix, StringComparison.Ordinal)
            && message.Topic.Length > _prefix.Length)
        {
            // Copied: the client may reuse the buffers once this callback returns.
            _inbox.Writer.TryWrite(new ReceivedCommand(message.Topic, message.Payload.ToArray(), message.ResponseTopic,
                message.CorrelationData is { Length: > 0 } c ? [.. c] : null));
        }
        return Task.CompletedTask;
    }

    private sealed record ReceivedCommand(string Topic, byte[] Payload, string? ResponseTopic, byte[]? CorrelationData);
}
