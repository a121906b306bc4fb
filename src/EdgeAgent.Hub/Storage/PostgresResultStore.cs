using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EdgeAgent.Messaging.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace EdgeAgent.Hub.Storage;

/// <summary>
/// The store for many clinics: PostgreSQL through Npgsql, same rules as <see cref="SqliteResultStore"/>. Several hub
/// instances (sharing results through an MQTT shared subscription) can write to one database: the idempotent insert and
/// the birth-sequence guard are single statements, so concurrent hubs need no extra locking.
/// </summary>
public sealed class PostgresResultStore(string connectionString) : IResultStore
{
    private static readonly ResultQuerySql Queries = new('@', "payload::text", t => t.ToUniversalTime(), ReadResult);

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            CREATE TABLE IF NOT EXISTS results (
                result_id     text PRIMARY KEY,
                site          text NOT NULL,
                device_id     text NOT NULL,
                status        text NOT NULL,
                label         text,
                acquired_at   timestamptz NOT NULL,
                diagnosed_at  timestamptz NOT NULL,
                received_at   timestamptz NOT NULL,
                model_name    text NOT NULL,
                model_version text NOT NULL,
                payload       jsonb NOT NULL
            );
            CREATE INDEX IF NOT EXISTS results_by_acquired ON results (acquired_at DESC, result_id DESC);
            CREATE INDEX IF NOT EXISTS results_by_device ON results (device_id, acquired_at DESC);
            CREATE INDEX IF NOT EXISTS results_by_label ON results (label, acquired_at DESC);
            CREATE INDEX IF NOT EXISTS results_by_status ON results (status, acquired_at DESC);
            CREATE TABLE IF NOT EXISTS devices (
                site            text NOT NULL,
                device_id       text NOT NULL,
                birth_sequence  bigint,
                status          jsonb,
                last_seen       timestamptz NOT NULL,
                model_update    text,
                model_update_at timestamptz,
                PRIMARY KEY (site, device_id)
            );
            """);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredResult>> AddResultsAsync(IReadOnlyList<ResultMessage> results, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        if (results.Count == 0)
        {
            return [];
        }
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // One statement for the whole batch: the arrays are unnested into rows; ON CONFLICT skips ids already stored
        // (and repeats inside the batch), and RETURNING names the rows that were new.
        await using var insert = new NpgsqlCommand("""
            INSERT INTO results (result_id, site, device_id, status, label, acquired_at, diagnosed_at, received_at, model_name, model_version, payload)
            SELECT id, site, device, status, label, acquired, diagnosed, @received, model_name, model_version, payload::jsonb
            FROM unnest(@ids, @sites, @devices, @statuses, @labels, @acquired, @diagnosed, @modelNames, @modelVersions, @payloads)
                 AS r(id, site, device, status, label, acquired, diagnosed, model_name, model_version, payload)
            ON CONFLICT (result_id) DO NOTHING
            RETURNING result_id;
            """, connection, transaction);
        insert.Parameters.AddWithValue("received", receivedAt.ToUniversalTime());
        insert.Parameters.AddWithValue("ids", results.Select(r => r.ResultId).ToArray());
        insert.Parameters.AddWithValue("sites", results.Select(r => r.Site).ToArray());
        insert.Parameters.AddWithValue("devices", results.Select(r => r.DeviceId).ToArray());
        insert.Parameters.AddWithValue("statuses", results.Select(r => r.Status).ToArray());
        insert.Parameters.Add(new NpgsqlParameter("labels", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = results.Select(r => r.Label).ToArray() });
        insert.Parameters.AddWithValue("acquired", results.Select(r => r.AcquiredAt.ToUniversalTime()).ToArray());
        insert.Parameters.AddWithValue("diagnosed", results.Select(r => r.DiagnosedAt.ToUniversalTime()).ToArray());
        insert.Parameters.AddWithValue("modelNames", results.Select(r => r.Model.Name).ToArray());
        insert.Parameters.AddWithValue("modelVersions", results.Select(r => r.Model.Version).ToArray());
        insert.Parameters.AddWithValue("payloads", results.Select(r => JsonSerializer.Serialize(r, MessagingJsonContext.Default.ResultMessage)).ToArray());
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(reader.GetString(0));
            }
        }

        var devices = results.Select(r => (r.Site, r.DeviceId)).Distinct().ToList();
        await using var seen = new NpgsqlCommand("""
            INSERT INTO devices (site, device_id, last_seen)
            SELECT site, device, @seen FROM unnest(@sites, @devices) AS d(site, device)
            ON CONFLICT (site, device_id) DO UPDATE SET last_seen = greatest(devices.last_seen, excluded.last_seen);
            """, connection, transaction);
        seen.Parameters.AddWithValue("seen", receivedAt.ToUniversalTime());
        seen.Parameters.AddWithValue("sites", devices.Select(d => d.Site).ToArray());
        seen.Parameters.AddWithValue("devices", devices.Select(d => d.DeviceId).ToArray());
        await seen.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // The first occurrence of an id in the batch is the one the database kept.
        var stored = new List<StoredResult>(inserted.Count);
        foreach (var result in results)
        {
            if (inserted.Remove(result.ResultId))
            {
                stored.Add(new StoredResult(result, receivedAt));
            }
        }
        return stored;
    }

    public async Task<DeviceRecord?> ApplyStatusAsync(StatusMessage status, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO devices (site, device_id, birth_sequence, status, last_seen) VALUES (@site, @device, @birth, @status::jsonb, @seen)
            ON CONFLICT (site, device_id) DO UPDATE SET
                birth_sequence = excluded.birth_sequence,
                status = excluded.status,
                last_seen = greatest(devices.last_seen, excluded.last_seen)
            WHERE devices.birth_sequence IS NULL OR devices.birth_sequence <= excluded.birth_sequence
            RETURNING site, device_id, status::text, last_seen, model_update, model_update_at;
            """);
        command.Parameters.AddWithValue("site", status.Site);
        command.Parameters.AddWithValue("device", status.DeviceId);
        command.Parameters.AddWithValue("birth", status.BirthSequence);
        command.Parameters.AddWithValue("status", JsonSerializer.Serialize(status, MessagingJsonContext.Default.StatusMessage));
        command.Parameters.AddWithValue("seen", receivedAt.ToUniversalTime());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadDevice(reader) : null;
    }

    public async Task<DeviceRecord> ApplyModelUpdateAsync(string site, string deviceId, string payloadJson, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO devices (site, device_id, last_seen, model_update, model_update_at) VALUES (@site, @device, @seen, @update, @seen)
            ON CONFLICT (site, device_id) DO UPDATE SET
                model_update = excluded.model_update,
                model_update_at = excluded.model_update_at,
                last_seen = greatest(devices.last_seen, excluded.last_seen)
            RETURNING site, device_id, status::text, last_seen, model_update, model_update_at;
            """);
        command.Parameters.AddWithValue("site", site);
        command.Parameters.AddWithValue("device", deviceId);
        command.Parameters.AddWithValue("update", payloadJson);
        command.Parameters.AddWithValue("seen", receivedAt.ToUniversalTime());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ReadDevice(reader);
    }

    public async Task<IReadOnlyList<DeviceRecord>> GetDevicesAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT site, device_id, status::text, last_seen, model_update, model_update_at FROM devices ORDER BY site, device_id;");
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
        await using var command = _dataSource.CreateCommand("SELECT payload::text, received_at FROM results WHERE result_id = @id;");
        command.Parameters.AddWithValue("id", resultId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadResult(reader) : null;
    }

    public async Task<ResultPage> QueryResultsAsync(ResultQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await Queries.PageAsync(connection, query, cancellationToken);
    }

    public async IAsyncEnumerable<StoredResult> ExportResultsAsync(ResultQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await foreach (var result in Queries.ExportAsync(connection, query, cancellationToken))
        {
            yield return result;
        }
    }

    public async Task<long> CountResultsAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT count(*) FROM results;");
        return (long)(await command.ExecuteScalarAsync(cancellationToken) ?? 0L);
    }

    public async Task<IReadOnlyList<string>> DeleteResultsAcquiredBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM results WHERE acquired_at < @cutoff RETURNING result_id;");
        command.Parameters.AddWithValue("cutoff", cutoff.ToUniversalTime());
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static StoredResult ReadResult(DbDataReader reader)
    {
        var result = JsonSerializer.Deserialize(reader.GetString(0), MessagingJsonContext.Default.ResultMessage)
            ?? throw new InvalidDataException("A stored result payload is null.");
        return new StoredResult(result, reader.GetFieldValue<DateTimeOffset>(1));
    }

    private static DeviceRecord ReadDevice(NpgsqlDataReader reader)
    {
        var status = reader.IsDBNull(2) ? null : JsonSerializer.Deserialize(reader.GetString(2), MessagingJsonContext.Default.StatusMessage);
        return new DeviceRecord(
            reader.GetString(0),
            reader.GetString(1),
            status,
            reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
    }
}
