namespace EdgeAgent.Hub.Configuration;

/// <summary>Where results, device states and overlays are kept.</summary>
public sealed class StorageOptions
{
    public const string SqliteProvider = "sqlite";
    public const string PostgresProvider = "postgresql";

    /// <summary>Folder for the database, the overlays and the token file.</summary>
    public string DataDirectory { get; set; } = "hub-data";

    /// <summary>Store implementation: <c>sqlite</c> (one hub) or <c>postgresql</c> (several hubs, many clinics).</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>SQLite file. Default: DataDirectory/hub.db.</summary>
    public string? SqlitePath { get; set; }

    /// <summary>
    /// PostgreSQL: an Npgsql connection string. Keep the password out of it with <c>Passfile=/path/.pgpass</c>
    /// (or PGPASSWORD in the environment).
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Overlay PNG folder. Default: DataDirectory/overlays.</summary>
    public string? OverlayDirectory { get; set; }

    /// <summary>Overlays larger than this are refused (logged, not stored); the result itself is still stored.</summary>
    public int MaxOverlayBytes { get; set; } = 4 * 1024 * 1024;
}
