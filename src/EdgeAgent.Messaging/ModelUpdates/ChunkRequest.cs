namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>A device asking the hub for one chunk; the answer goes to the request's MQTT 5 response topic with its correlation data.</summary>
public sealed record ChunkRequest
{
    /// <summary>The package's sha256 (the transfer id from the signed manifest).</summary>
    public required string Sha256 { get; init; }

    public required int Index { get; init; }
}
