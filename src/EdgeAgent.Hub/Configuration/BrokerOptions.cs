namespace EdgeAgent.Hub.Configuration;

/// <summary>Where the hub gets its MQTT traffic: its own embedded broker (default) or an external one.</summary>
public sealed class BrokerOptions
{
    public const string EmbeddedMode = "embedded";
    public const string ExternalMode = "external";

    /// <summary><c>embedded</c> (MQTTnet broker inside the hub) or <c>external</c> (connect to <see cref="Url"/>).</summary>
    public string Mode { get; set; } = EmbeddedMode;

    /// <summary>Embedded broker: address it listens on. Loopback by default; set 0.0.0.0 to let agents on the LAN in.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Embedded broker: TCP port.</summary>
    public int Port { get; set; } = 1883;

    /// <summary>External broker: <c>mqtts://host:8883</c> (TLS) or, explicitly, <c>mqtt://host:1883</c>.</summary>
    public string? Url { get; set; }

    /// <summary>External broker: PEM file of the CA that signed the broker's certificate (otherwise the system store).</summary>
    public string? CaFile { get; set; }

    public string? Username { get; set; }

    /// <summary>File holding the broker password (first line). Preferred over <see cref="PasswordEnvironmentVariable"/>.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Name of an environment variable holding the broker password.</summary>
    public string? PasswordEnvironmentVariable { get; set; }

    /// <summary>MQTT client id of this hub instance; must differ between hub instances sharing a broker.</summary>
    public string ClientId { get; set; } = "edge-hub-" + Environment.MachineName.ToLowerInvariant();

    /// <summary>External broker: share group name; hubs in the same group split the results between them.</summary>
    public string ShareGroup { get; set; } = "edge-hub";
}
