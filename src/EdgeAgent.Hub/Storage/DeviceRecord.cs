using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Hub.Storage;

/// <summary>
/// What the hub knows of one device: its last status (null when only results were seen so far), when it was last heard from,
/// and its last model-update status JSON (null until the device published one).
/// </summary>
public sealed record DeviceRecord(
    string Site,
    string DeviceId,
    StatusMessage? Status,
    DateTimeOffset LastSeen,
    string? ModelUpdateJson,
    DateTimeOffset? ModelUpdateAt);
