using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Hub.Storage;

/// <summary>A result as the agent sent it, plus when the hub stored it.</summary>
public sealed record StoredResult(ResultMessage Result, DateTimeOffset ReceivedAt);
