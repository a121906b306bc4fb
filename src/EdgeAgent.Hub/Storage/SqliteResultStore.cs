using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EdgeAgent.Messaging.Contracts;
using Microsoft.Data.Sqlite;

namespace EdgeAgent.Hub.Storage;

/// <summary>
/// The default store: one SQLite file in WAL mode with synchronous FULL (a batch the hub acknowledged survives a power cut).
/// One writer connection serialises writes; reads use pooled connections and never wait for the writer.
/// </summary>
public sealed class SqliteResultStore(string path) : IResultStore
{
    private static readonly ResultQuerySql Queries = new('$', "payload", t => t.ToUnixTimeMilliseconds(), ReadResult);

    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        _writer = new SqliteConnection(_connectionString);
        await _writer.OpenAsync(cancellationToken);
        await ExecuteAsync(_writer, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = 30000;
            CREATE TABLE IF NOT EXISTS results (
                result_id     TEXT PRIMARY KEY,
                site          TEXT NOT NULL,
                device_id     TEXT NOT NULL,
                status        TEXT NOT NULL,
                label         TEXT,
                acquired_at   INTEGER NOT NULL,
                diagnosed_at  INTEGER NOT NULL,
                received_at   INTEGER NOT NULL,
                model_name    TEXT NOT NULL,
                model_version TEXT NOT NULL,
                payload       TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS results_by_acquired ON results (acquired_at DESC, result_id DESC);
            CREATE INDEX IF NOT EXISTS results_by_device ON results (device_id, acquired_at DESC);
            CREATE INDEX IF NOT EXISTS results_by_label ON results (label, acquired_at DESC);
            CREATE INDEX IF NOT EXISTS results_by_status ON results (status, acquired_at DESC);
            CREATE TABLE IF NOT EXISTS devices (
                site             TEXT NOT NULL,
                device_id        TEXT NOT NULL,
                birth_sequence   INTEGER,
                status           TEXT,
                last_seen        INTEGER NOT NULL,
                model_update     TEXT,
                model_update_at  INTEGER,
                PRIMARY KEY (site, device_id)
            );
            """, cancellationToken);
    }

    public async Task<IReadOnlyList<StoredResult>> AddResultsAsync(IReadOnlyList<ResultMessage> results, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var stored = new List<StoredResult>();
        if (results.Count == 0)
        {
            return stored;
        }
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var writer = Writer;
            await using var transaction = (SqliteTransaction)await writer.BeginTransactionAsync(cancellationToken);
            await using var insert = writer.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO results (result_id, site, device_id, status, label, acquired_at, diagnosed_at, received_at, model_name, model_version, payload)
                VALUES ($id, $site, $device, $status, $label, $acquired, $diagnosed, $received, $modelName, $modelVersion, $payload)
                ON CONFLICT (result_id) DO NOTHING;
                """;
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var site = insert.Parameters.Add("$site", SqliteType.Text);
            var device = insert.Parameters.Add("$device", SqliteType.Text);
            var status = insert.Parameters.Add("$status", SqliteType.Text);
            var label = insert.Parameters.Add("$label", SqliteType.Text);
            var acquired = insert.Parameters.Add("$acquired", SqliteType.Integer);
            var diagnosed = insert.Parameters.Add("$diagnosed", SqliteType.Integer);
            var received = insert.Parameters.Add("$received", SqliteType.Integer);
            var modelName = insert.Parameters.Add("$modelName", SqliteType.Text);
            var modelVersion = insert.Parameters.Add("$modelVersion", SqliteType.Text);
            var payload = insert.Parameters.Add("$payload", SqliteType.Text);
            received.Value = receivedAt.ToUnixTimeMilliseconds();

            await using var seen = writer.CreateCommand();
            seen.Transaction = transaction;
            seen.CommandText = """
                INSERT INTO devices (site, device_id, last_seen) VALUES ($site, $device, $seen)
                ON CONFLICT (site, device_id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen);
                """;
            var seenSite = seen.Parameters.Add("$site", SqliteType.Text);
            var seenDevice = seen.Parameters.Add("$device", SqliteType.Text);
            seen.Parameters.AddWithValue("$seen", receivedAt.ToUnixTimeMilliseconds());

            var devices = new HashSet<(string Site, string Device)>();
            foreach (var result in results)
            {
                id.Value = result.ResultId;
                site.Value = result.Site;
                device.Value = result.DeviceId;
                status.Value = result.Status;
                label.Value = (object?)result.Label ?? DBNull.Value;
                acquired.Value = result.AcquiredAt.ToUnixTimeMilliseconds();
                diagnosed.Value = result.DiagnosedAt.ToUnixTimeMilliseconds();
                modelName.Value = result.Model.Name;
                modelVersion.Value = result.Model.Version;
                payload.Value = JsonSerializer.Serialize(result, MessagingJsonContext.Default.ResultMessage);
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    stored.Add(new StoredResult(result, receivedAt));
                }
                devices.Add((result.Site, result.DeviceId));
            }
            foreach (var (s, d) in devices)
            {
                seenSite.Value = s;
                seenDevice.Value = d;
                await seen.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            return stored;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<DeviceRecord?> ApplyStatusAsync(StatusMessage status, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var command = Writer.CreateCommand();
            // The update is skipped (no row returned) when the stored birth sequence is newer: a stale retained message
            // or a late Last Will of an earlier connection must not mark a live device offline.
            command.CommandText = """
                INSERT INTO devices (site, device_id, birth_sequence, status, last_seen) VALUES ($site, $device, $birth, $status, $seen)
                ON CONFLICT (site, device_id) DO UPDATE SET
                    birth_sequence = excluded.birth_sequence,
                    status = excluded.status,
                    last_seen = max(last_seen, excluded.last_seen)
                WHERE devices.birth_sequence IS NULL OR devices.birth_sequence <= excluded.birth_sequence
                RETURNING site, device_id, status, last_seen, model_update, model_update_at;
                """;
            command.Parameters.AddWithValue("$site", status.Site);
            command.Parameters.AddWithValue("$device", status.DeviceId);
            command.Parameters.AddWithValue("$birth", status.BirthSequence);
            command.Parameters.AddWithValue("$status", JsonSerializer.Serialize(status, MessagingJsonContext.Default.StatusMessage));
            command.Parameters.AddWithValue("$seen", receivedAt.ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? ReadDevice(reader) : null;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<DeviceRecord> ApplyModelUpdateAsync(string site, string deviceId, string payloadJson, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var command = Writer.CreateCommand();
            command.CommandText = """
                INSERT INTO devices (site, device_id, last_seen, model_update, model_update_at) VALUES ($site, $device, $seen, $update, $seen)
                ON CONFLICT (site, device_id) DO UPDATE SET
                    model_update = excluded.model_update,
                    model_update_at = excluded.model_update_at,
                    last_seen = max(last_seen, excluded.last_seen)
                RETURNING site, device_id, status, last_seen, model_update, model_update_at;
                """;
            command.Parameters.AddWithValue("$site", site);
            command.Parameters.AddWithValue("$device", deviceId);
            command.Parameters.AddWithValue("$update", payloadJson);
            command.Parameters.AddWithValue("$seen", receivedAt.ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return ReadDevice(reader);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<IReadOnlyList<DeviceRecord>> GetDevicesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT site, device_id, status, last_seen, model_update, model_update_at FROM devices ORDER BY site, device_id;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var devices = new List<DeviceRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            devices.Add(ReadDevice(reader));
        }
        return devices;
    }

    public async Task<StoredResult?> GetResultAsync(string resultId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload, received_at FROM results WHERE result_id = $id;";
        command.Parameters.AddWithValue("$id", resultId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadResult(reader) : null;
    }

    public async Task<ResultPage> QueryResultsAsync(ResultQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        return await Queries.PageAsync(connection, query, cancellationToken);
    }

    public async IAsyncEnumerable<StoredResult> ExportResultsAsync(ResultQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await foreach (var result in Queries.ExportAsync(connection, query, cancellationToken))
        {
            yield return result;
        }
    }

    public async Task<long> CountResultsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM results;";
        return (long)(await command.ExecuteScalarAsync(cancellationToken) ?? 0L);
    }

    public async Task<IReadOnlyList<string>> DeleteResultsAcquiredBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var command = Writer.CreateCommand();
            command.CommandText = "DELETE FROM results WHERE acquired_at < $cutoff RETURNING result_id;";
            command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
            var ids = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetString(0));
            }
            return ids;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
        }
        _writeLock.Dispose();
    }

    private SqliteConnection Writer => _writer ?? throw new InvalidOperationException("SqliteResultStore.InitializeAsync was not called.");

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static StoredResult ReadResult(DbDataReader reader)
    {
        var result = JsonSerializer.Deserialize(reader.GetString(0), MessagingJsonContext.Default.ResultMessage)
            ?? throw new InvalidDataException("A stored result payload is null.");
        return new StoredResult(result, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
    }

    private static DeviceRecord ReadDevice(SqliteDataReader reader)
    {
        var status = reader.IsDBNull(2) ? null : JsonSerializer.Deserialize(reader.GetString(2), MessagingJsonContext.Default.StatusMessage);
        return new DeviceRecord(
            reader.GetString(0),
            reader.GetString(1),
            status,
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
