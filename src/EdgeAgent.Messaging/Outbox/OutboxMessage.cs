namespace EdgeAgent.Messaging.Outbox;

/// <summary>A pending entry with its payloads, as handed to the publisher.</summary>
public sealed record OutboxMessage(OutboxEntry Entry, byte[] ResultJson, byte[]? Overlay);
