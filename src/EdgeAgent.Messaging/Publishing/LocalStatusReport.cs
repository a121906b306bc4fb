using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.Outbox;

namespace EdgeAgent.Messaging.Publishing;

/// <summary>
/// What the running agent last knew about its link and status, written into the outbox database
/// every status interval and on every link change, so <c>edge-agent status</c> (another process) can show it.
/// </summary>
public sealed record LocalStatusReport
{
    public required StatusMessage Status { get; init; }
    public required LinkStatus Link { get; init; }
    public required DateTimeOffset WrittenAt { get; init; }

    public static LocalStatusReport? Read(OutboxStore outbox) =>
        outbox.ReadLocalStatus() is { } json ? JsonSerializer.Deserialize(json, LocalStatusJsonContext.Default.LocalStatusReport) : null;

    internal void Save(OutboxStore outbox) =>
        outbox.SaveLocalStatus(JsonSerializer.Serialize(this, LocalStatusJsonContext.Default.LocalStatusReport));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LocalStatusReport))]
internal sealed partial class LocalStatusJsonContext : JsonSerializerContext;
