namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>
/// What the hub signs when it offers a model package: the package's identity, its bytes (size, sha256) and the
/// sha256 of every chunk, so each chunk is checked on arrival and nothing unsigned is ever written as a package.
/// </summary>
public sealed record UpdateManifest
{
    public int SchemaVersion { get; set; } = 1;

    /// <summary>Model name from the package's manifest.json.</summary>
    public required string Package { get; init; }

    /// <summary>Semantic version from the package's manifest.json.</summary>
    public required string Version { get; init; }

    /// <summary>Bytes of the package file (a zipped model package).</summary>
    public required long Size { get; init; }

    /// <summary>Lower-case hex sha256 of the whole package file; also the transfer's identity.</summary>
    public required string Sha256 { get; init; }

    public required int ChunkSize { get; init; }

    /// <summary>Lower-case hex sha256 of chunk 0, 1, ...; the last chunk may be shorter than <see cref="ChunkSize"/>.</summary>
    public required IReadOnlyList<string> ChunkSha256 { get; init; }

    public string Channel { get; set; } = "stable";

    /// <summary>Device ids the update is for; null or empty means every device of the site.</summary>
    public IReadOnlyList<string>? Devices { get; init; }

    /// <summary>Signed permission to install a version lower than the running one.</summary>
    public bool Rollback { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public int ChunkCount => ChunkSha256.Count;

    public int ChunkLength(int index) =>
        index < ChunkCount - 1 ? ChunkSize : (int)(Size - (long)ChunkSize * (ChunkCount - 1));

    public bool IsFor(string device) => Devices is null || Devices.Count == 0 || Devices.Contains(device, StringComparer.Ordinal);
}
