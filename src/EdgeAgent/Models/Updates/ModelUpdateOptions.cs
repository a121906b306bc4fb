namespace EdgeAgent.Models.Updates;

/// <summary>Configuration section <c>ModelUpdates</c>: whether and which model updates the agent takes over MQTT.</summary>
public sealed class ModelUpdateOptions
{
    public const string SectionName = "ModelUpdates";

    public bool Enabled { get; set; }

    /// <summary>PEM files of the public keys whose signatures are trusted (from <c>edge-hub keys create</c>).</summary>
    public List<string> TrustedKeys { get; set; } = [];

    /// <summary>Where downloads, installed packages and state.json live; default <c>{Agent:DataDirectory}/models</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Announcements of larger packages are rejected before anything is downloaded.</summary>
    public long MaxPackageBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Only updates announced on this channel are taken; null takes every channel.</summary>
    public string? Channel { get; set; }

    /// <summary>When set, only this exact version is installed (pins the device).</summary>
    public string? PinnedVersion { get; set; }

    /// <summary>Transfer cap in bytes per second; 0 = uncapped.</summary>
    public long MaxBytesPerSecond { get; set; }

    public int ChunkWindow { get; set; } = 4;

    public TimeSpan ChunkTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first N inferences of a new model are watched (exceptions, NaN, all-identical outputs).</summary>
    public int HealthWindow { get; set; } = 20;
}
