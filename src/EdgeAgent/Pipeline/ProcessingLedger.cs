using Microsoft.Data.Sqlite;

namespace EdgeAgent.Pipeline;

/// <summary>
/// The SQLite record of every input already diagnosed, keyed by content sha256: it makes processing exactly-once
/// across restarts and recognises duplicates. Written with WAL and synchronous=FULL so a power cut cannot lose a
/// row that was reported written.
/// </summary>
public sealed class ProcessingLedger
{
    private readonly string connectionString;

    public ProcessingLedger(string file)
    {
        connectionString = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS processed (
                sha256 TEXT PRIMARY KEY,
                result_id TEXT NOT NULL,
                file_name TEXT NOT NULL,
                model TEXT NOT NULL,
                processed_at TEXT NOT NULL);
            """;
        command.ExecuteNonQuery();
    }

    public LedgerEntry? Find(string sha256)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT result_id, file_name, model, processed_at FROM processed WHERE sha256 = $sha";
        command.Parameters.AddWithValue("$sha", sha256);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new LedgerEntry(sha256, reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.Parse(reader.GetString(3), System.Globalization.CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>Records a finished input; a second record for the same content keeps the first.</summary>
    public void Record(LedgerEntry entry)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO processed (sha256, result_id, file_name, model, processed_at) VALUES ($sha, $id, $file, $model, $at)";
        command.Parameters.AddWithValue("$sha", entry.Sha256);
        command.Parameters.AddWithValue("$id", entry.ResultId);
        command.Parameters.AddWithValue("$file", entry.FileName);
        command.Parameters.AddWithValue("$model", entry.Model);
        command.Parameters.AddWithValue("$at", entry.ProcessedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }

    public long Count()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM processed";
        return (long)command.ExecuteScalar()!;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
