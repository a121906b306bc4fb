namespace EdgeAgent.Hub.Configuration;

/// <summary>Everything <c>edge-hub serve</c> reads from its configuration file; see docs/hub.md for each key.</summary>
public sealed class HubOptions
{
    public BrokerOptions Broker { get; set; } = new();
    public HttpOptions Http { get; set; } = new();
    public StorageOptions Storage { get; set; } = new();
    public RetentionOptions Retention { get; set; } = new();
}
