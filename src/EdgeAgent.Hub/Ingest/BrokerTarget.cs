namespace EdgeAgent.Hub.Ingest;

/// <summary>The broker the hub's own MQTT client connects to: its embedded broker on loopback, or the external one.</summary>
public sealed record BrokerTarget(string Host, int Port, bool UseTls);
