using System.Text.Json;

namespace EdgeAgent.Hub.Api;

/// <summary>A device as the API and dashboard show it. <see cref="ModelUpdate"/> is the device's last model/status payload.</summary>
public sealed record DeviceView(
    string Site,
    string DeviceId,
    string State,
    bool Online,
    DateTimeOffset LastSeen,
    string? AgentVersion,
    string? ModelName,
    string? ModelVersion,
    string? Provider,
    long QueueDepth,
    double? OldestQueuedAgeSeconds,
    long Processed,
    long Failed,
    IReadOnlyList<string> Alarms,
    string? LastError,
    DateTimeOffset? StartedAt,
    long? BirthSequence,
    JsonElement? ModelUpdate,
    DateTimeOffset? ModelUpdateAt);
