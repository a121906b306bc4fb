namespace EdgeAgent.Hub.Configuration;

/// <summary>A configuration value that stops start-up; the message names the key.</summary>
public sealed class HubConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
