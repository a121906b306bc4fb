namespace EdgeAgent.Messaging.Link;

/// <summary>
/// Configuration section <c>Mqtt</c>. TLS (<c>mqtts://</c>) is the default; plaintext needs an explicit
/// <c>mqtt://</c> URL. Secrets are read from a file or an environment variable and are never logged.
/// </summary>
public sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    /// <summary>When false nothing connects; results still queue in the outbox.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>mqtts://host[:8883]</c> (TLS) or <c>mqtt://host[:1883]</c> (plaintext).</summary>
    public string Url { get; set; } = "mqtts://localhost:8883";

    /// <summary>Topic segment for the clinic; letters, digits, '-', '_' and '.'.</summary>
    public string Site { get; set; } = "default";

    /// <summary>Topic segment for this device; defaults to the machine name.</summary>
    public string DeviceId { get; set; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>MQTT client id; defaults to <c>edgeagent-{Site}-{DeviceId}</c>. Must be stable for the persistent session.</summary>
    public string? ClientId { get; set; }

    public string? Username { get; set; }

    /// <summary>File whose first line is the password (e.g. a systemd credential).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Name of an environment variable that holds the password.</summary>
    public string? PasswordEnvironmentVariable { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate; without it the system trust store is used.</summary>
    public string? CaFile { get; set; }

    /// <summary>Optional SHA-256 fingerprint of the broker's certificate (hex, colons allowed), checked in addition to the chain.</summary>
    public string? CertificatePin { get; set; }

    /// <summary>PEM client certificate and its key, for brokers that require client authentication.</summary>
    public string? ClientCertificateFile { get; set; }
    public string? ClientKeyFile { get; set; }

    /// <summary>"5" (MQTT 5.0, default) or "3.1.1".</summary>
    public string ProtocolVersion { get; set; } = "5";

    /// <summary>When the broker refuses MQTT 5 as an unsupported protocol, try 3.1.1 (content type, user properties and response topics are then unavailable).</summary>
    public bool FallbackTo311 { get; set; }

    /// <summary>How long the broker keeps the session (subscriptions, queued commands) while the device is away.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one connect attempt and of one acknowledged publish.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>First and longest wait between reconnect attempts (exponential back-off with jitter in between).</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the retained status is refreshed with stats.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Overlay PNGs: "send" or "off".</summary>
    public string Overlay { get; set; } = "send";

    /// <summary>Overlays larger than this are not sent (the result still is, with <c>overlayOmitted</c> saying why).</summary>
    public int OverlayMaxBytes { get; set; } = 2 * 1024 * 1024;

    public string EffectiveClientId => string.IsNullOrWhiteSpace(ClientId) ? $"edgeagent-{Site}-{DeviceId}" : ClientId;
}
