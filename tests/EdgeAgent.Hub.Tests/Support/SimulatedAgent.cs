using System.Text.Json;
using EdgeAgent.Messaging.Contracts;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Hub.Tests.Support;

/// <summary>
/// Stands in for an edge agent on the wire only: a plain MQTTnet 5 client that publishes the shared contracts
/// (retained birth status with an offline Last Will, QoS 1 results, overlays) exactly as docs/mqtt.md describes.
/// </summary>
internal sealed class SimulatedAgent(string site, string deviceId, int port) : IAsyncDisposable
{
    private static readonly string[] Labels = ["covid", "pneumonia", "normal"];
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public string Site => site;
    public string DeviceId => deviceId;
    public long BirthSequence { get; private set; }

    public async Task ConnectAsync(long birthSequence = 1, string modelVersion = "1.0.0")
    {
        BirthSequence = birthSequence;
        var will = Status("offline", modelVersion);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId($"agent-{site}-{deviceId}")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithWillTopic(Topics.Status(site, deviceId))
            .WithWillPayload(JsonSerializer.SerializeToUtf8Bytes(will, MessagingJsonContext.Default.StatusMessage))
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await _client.ConnectAsync(options);
        await PublishStatusAsync(Status("online", modelVersion) with { QueueDepth = 3, Alarms = ["disk 91% full"] });
    }

    public StatusMessage Status(string state, string modelVersion = "1.0.0") => new()
    {
        DeviceId = deviceId,
        Site = site,
        State = state,
        AgentVersion = "0.9.0",
        ModelName = "covid-cnn-rnn",
        ModelVersion = modelVersion,
        Provider = "cpu",
        BirthSequence = BirthSequence,
        StartedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
        Timestamp = DateTimeOffset.UtcNow,
    };

    public Task PublishStatusAsync(StatusMessage status) =>
        PublishAsync(Topics.Status(site, deviceId), JsonSerializer.SerializeToUtf8Bytes(status, MessagingJsonContext.Default.StatusMessage), retain: true);

    public static ResultMessage Result(string site, string deviceId, int n, DateTimeOffset? acquiredAt = null, string? status = null, bool overlay = false)
    {
        var label = Labels[n % 3];
        return new ResultMessage
        {
            ResultId = $"{deviceId}-r{n:0000}",
            DeviceId = deviceId,
            Site = site,
            Input = new InputIdentity
            {
                FileName = $"chest-{n:0000}.dcm",
                Sha256 = new string((char)('a' + n % 6), 64),
                StudyInstanceUid = $"1.2.826.0.1.3680043.8.498.{n}",
                SeriesInstanceUid = $"1.2.826.0.1.3680043.8.498.{n}.1",
                SopInstanceUid = $"1.2.826.0.1.3680043.8.498.{n}.1.1",
                Modality = "DX",
            },
            Model = new ModelIdentity { Name = "covid-cnn-rnn", Version = "1.0.0" },
            Status = status ?? ResultStatus.Ok,
            Label = label,
            Probabilities = Labels.ToDictionary(l => l, l => l == label ? 0.7 : 0.15),
            TimingsMs = new Dictionary<string, double> { ["inference"] = 41.5, ["total"] = 60.2 },
            AcquiredAt = acquiredAt ?? DateTimeOffset.UtcNow.AddMinutes(-n),
            DiagnosedAt = DateTimeOffset.UtcNow,
            HasOverlay = overlay,
        };
    }

    public Task PublishResultAsync(ResultMessage result) =>
        PublishAsync(Topics.Results(site, deviceId), JsonSerializer.SerializeToUtf8Bytes(result, MessagingJsonContext.Default.ResultMessage));

    public Task PublishOverlayAsync(string resultId, byte[] png) =>
        PublishAsync(Topics.Overlay(site, deviceId, resultId), png, contentType: "image/png", resultId: resultId);

    public Task PublishRawAsync(string topic, byte[] payload, bool retain = false) => PublishAsync(topic, payload, retain);

    private async Task PublishAsync(string topic, byte[] payload, bool retain = false, string? contentType = null, string? resultId = null)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain);
        if (contentType is not null)
        {
            builder = builder.WithContentType(contentType);
        }
        if (resultId is not null)
        {
            builder = builder.WithUserProperty("resultId", System.Text.Encoding.UTF8.GetBytes(resultId));
        }
        var reply = await _client.PublishAsync(builder.Build());
        if (!reply.IsSuccess)
        {
            throw new InvalidOperationException($"Publish to {topic} failed: {reply.ReasonCode}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync();
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
            {
                // The link was already cut by the test; the client may not have noticed yet.
            }
        }
        _client.Dispose();
    }
}
