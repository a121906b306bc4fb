namespace EdgeAgent.Messaging.Contracts;

/// <summary>
/// Body of a command sent to <c>cmd/{name}</c>. Every member is optional: <c>rebirth</c> needs none,
/// <c>resync</c> reads the time range (acquired-at, inclusive; an open end means "from the beginning" / "until now").
/// </summary>
public sealed record CommandRequest
{
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    /// <summary>Echoed in the reply, for MQTT 3.1.1 clients that have no correlation data.</summary>
    public string? RequestId { get; init; }
}
