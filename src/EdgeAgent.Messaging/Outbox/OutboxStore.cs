using System.Text.Json;
using EdgeAgent.Messaging.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Outbox;

/// <summary>
/// The durable outbox: one SQLite file (WAL, synchronous=FULL, so a commit survives a power cut).
/// A result is committed here before its input file is moved; it is marked published only after
/// the broker acknowledged it; nothing pending is ever deleted. Thread-safe: one connection behind a lock.
/// </summary>
public sealed class OutboxStore : IDisposable
{
    private const int SchemaVersion = 1;
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private bool _disposed;
    // Size of the last result refused as Full: the outbox stays "full" until that much fits, so the agent keeps intake paused.
    private long _lastRefusedBytes;

    public OutboxStore(IOptions<OutboxOptions> options, TimeProvider time)
        : this(options.Value, time)
    {
    }

    public OutboxStore(OutboxOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        DatabasePath = System.IO.Path.GetFullPath(options.Path);
        var directory = System.IO.Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            _connection.Open();
            CreateSchema();
        }
        catch (SqliteException ex)
        {
            _connection.Dispose();
            throw new InvalidOperationException($"Outbox database '{DatabasePath}' cannot be opened: {ex.Message}", ex);
        }
    }

    public string DatabasePath { get; }

    /// <summary>Set whenever entries become pending, so the publisher wakes without polling.</summary>
    internal AsyncSignal PendingAdded { get; } = new();

    /// <summary>
    /// Commits a result (and its overlay) in one transaction. Returns <see cref="EnqueueOutcome.Full"/>
    /// without writing when a cap is reached: the caller keeps its input and pauses intake.
    /// </summary>
    public EnqueueOutcome Enqueue(ResultMessage result, ReadOnlyMemory<byte>? overlay = null) =>
        EnqueueBatch([(result, overlay)])[0];

    /// <summary>
    /// Commits several results in one transaction (one disk flush), e.g. the frames of one study.
    /// Each gets its own outcome; once one is refused as full, the rest are refused too, so order is kept.
    /// </summary>
    public IReadOnlyList<EnqueueOutcome> EnqueueBatch(IReadOnlyList<(ResultMessage Result, ReadOnlyMemory<byte>? Overlay)> items)
    {
        var outcomes = new EnqueueOutcome[items.Count];
        var queued = false;
        lock (_gate)
        {
            ThrowIfDisposed();
            using var transaction = _connection.BeginTransaction();
            using var insert = Command(transaction, """
                INSERT INTO outbox (result_id, state, acquired_at, created_at, attempts, bytes, result_json, overlay)
                VALUES ($id, 0, $acquired, $created, 0, $bytes, $json, $overlay)
                """);
            var full = false;
            for (var i = 0; i < items.Count; i++)
            {
                var (result, overlay) = items[i];
                ArgumentNullException.ThrowIfNull(result);
                var json = JsonSerializer.SerializeToUtf8Bytes(result, MessagingJsonContext.Default.ResultMessage);
                var overlayBytes = overlay is { Length: > 0 } o ? o.ToArray() : null;
                long bytes = json.Length + (overlayBytes?.Length ?? 0);
                if (Exists(result.ResultId, transaction))
                {
                    outcomes[i] = EnqueueOutcome.AlreadyQueued;
                    continue;
                }
                if (full || FullReasonFor(bytes, transaction, pruneKept: true) is not null)
                {
                    full = true;
                    _lastRefusedBytes = bytes;
                    outcomes[i] = EnqueueOutcome.Full;
                    continue;
                }
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("$id", result.ResultId);
                insert.Parameters.AddWithValue("$acquired", result.AcquiredAt.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$created", Now());
                insert.Parameters.AddWithValue("$bytes", bytes);
                insert.Parameters.AddWithValue("$json", json);
                insert.Parameters.AddWithValue("$overlay", (object?)overlayBytes ?? DBNull.Value);
                insert.ExecuteNonQuery();
                outcomes[i] = EnqueueOutcome.Queued;
                queued = true;
            }
            transaction.Commit();
            if (queued && !full)
            {
                _lastRefusedBytes = 0;
            }
        }
        if (queued)
        {
            PendingAdded.Set();
        }
        return outcomes;
    }

    /// <summary>True when a result with this id is in the outbox (pending or kept), so its input need not be processed again.</summary>
    public bool Contains(string resultId)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return Exists(resultId, null);
        }
    }

    /// <summary>The oldest pending entries in acquisition order (acquired-at, then insertion order).</summary>
    public IReadOnlyList<OutboxMessage> PeekPending(int max)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var select = Command(null, $"""
                SELECT {EntryColumns}, result_json, overlay FROM outbox
                WHERE state = 0 ORDER BY acquired_at, seq LIMIT $max
                """);
            select.Parameters.AddWithValue("$max", max);
            using var reader = select.ExecuteReader();
            var messages = new List<OutboxMessage>();
            while (reader.Read())
            {
                var entry = ReadEntry(reader);
                var json = (byte[])reader["result_json"];
                var overlay = reader.IsDBNull(reader.GetOrdinal("overlay")) ? null : (byte[])reader["overlay"];
                messages.Add(new OutboxMessage(entry, json, overlay));
            }
            return messages;
        }
    }

    /// <summary>Marks entries published, in one transaction. Call only after the broker acknowledged each of them.</summary>
    public void MarkPublished(IReadOnlyCollection<long> sequences)
    {
        if (sequences.Count == 0)
        {
            return;
        }
        lock (_gate)
        {
            ThrowIfDisposed();
            using var transaction = _connection.BeginTransaction();
            using var update = Command(transaction, """
                UPDATE outbox SET state = 1, published_at = $now, attempts = attempts + 1, last_error = NULL
                WHERE seq = $seq AND state = 0
                """);
            var now = update.Parameters.AddWithValue("$now", Now());
            var seq = update.Parameters.Add("$seq", SqliteType.Integer);
            foreach (var sequence in sequences)
            {
                seq.Value = sequence;
                update.ExecuteNonQuery();
            }
            SetMeta("last_published_at", now.Value!.ToString()!, transaction);
            transaction.Commit();
        }
    }

    /// <summary>Counts a failed attempt and remembers why; the entry stays pending.</summary>
    public void RecordFailure(long sequence, string error)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var update = Command(null, "UPDATE outbox SET attempts = attempts + 1, last_error = $error WHERE seq = $seq");
            update.Parameters.AddWithValue("$error", error);
            update.Parameters.AddWithValue("$seq", sequence);
            update.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Queues kept (published) results acquired in [from, to] again, for <c>resync</c> and
    /// <c>edge-agent outbox republish</c>. Returns how many entries became pending.
    /// </summary>
    public int Republish(DateTimeOffset? from, DateTimeOffset? to)
    {
        int count;
        lock (_gate)
        {
            ThrowIfDisposed();
            using var update = Command(null, "UPDATE outbox SET state = 0 WHERE state = 1 AND acquired_at >= $from AND acquired_at <= $to");
            update.Parameters.AddWithValue("$from", from?.ToUnixTimeMilliseconds() ?? long.MinValue);
            update.Parameters.AddWithValue("$to", to?.ToUnixTimeMilliseconds() ?? long.MaxValue);
            count = update.ExecuteNonQuery();
        }
        if (count > 0)
        {
            PendingAdded.Set();
        }
        return count;
    }

    /// <summary>Entries in acquisition order, optionally filtered by state and acquired-at range.</summary>
    public IReadOnlyList<OutboxEntry> List(OutboxEntryState? state = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int limit = 1000)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var select = Command(null, $"""
                SELECT {EntryColumns} FROM outbox
                WHERE ($state IS NULL OR state = $state) AND acquired_at >= $from AND acquired_at <= $to
                ORDER BY acquired_at, seq LIMIT $limit
                """);
            select.Parameters.AddWithValue("$state", state is null ? DBNull.Value : (int)state.Value);
            select.Parameters.AddWithValue("$from", from?.ToUnixTimeMilliseconds() ?? long.MinValue);
            select.Parameters.AddWithValue("$to", to?.ToUnixTimeMilliseconds() ?? long.MaxValue);
            select.Parameters.AddWithValue("$limit", limit);
            using var reader = select.ExecuteReader();
            var entries = new List<OutboxEntry>();
            while (reader.Read())
            {
                entries.Add(ReadEntry(reader));
            }
            return entries;
        }
    }

    /// <summary>Deletes kept results past their retention. Pending entries are never touched.</summary>
    public int PruneExpired()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var delete = Command(null, "DELETE FROM outbox WHERE state = 1 AND published_at < $cutoff");
            delete.Parameters.AddWithValue("$cutoff", Now() - (long)_options.PublishedRetention.TotalMilliseconds);
            return delete.ExecuteNonQuery();
        }
    }

    public OutboxStats GetStats()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var select = Command(null, """
                SELECT
                  COALESCE(SUM(state = 0), 0), COALESCE(SUM(CASE WHEN state = 0 THEN bytes END), 0),
                  COALESCE(SUM(state = 1), 0), COALESCE(SUM(CASE WHEN state = 1 THEN bytes END), 0),
                  MIN(CASE WHEN state = 0 THEN acquired_at END)
                FROM outbox
                """);
            using var reader = select.ExecuteReader();
            reader.Read();
            DateTimeOffset? oldest = reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4));
            var now = _time.GetUtcNow();
            var age = oldest is null ? (TimeSpan?)null : now - oldest.Value;
            var lastPublished = GetMeta("last_published_at", null);
            return new OutboxStats
            {
                PendingCount = reader.GetInt64(0),
                PendingBytes = reader.GetInt64(1),
                PublishedCount = reader.GetInt64(2),
                PublishedBytes = reader.GetInt64(3),
                OldestPendingAcquiredAt = oldest,
                OldestPendingAge = age,
                LastPublishedAt = lastPublished is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(lastPublished)),
                FileBytes = FileSize(DatabasePath) + FileSize(DatabasePath + "-wal"),
                FullReason = FullReasonFor(_lastRefusedBytes, null, pruneKept: false),
                Stale = age > _options.MaxPendingAge,
            };
        }
    }

    /// <summary>Increments and returns the persisted birth sequence number (survives restarts).</summary>
    public long NextBirthSequence()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var transaction = _connection.BeginTransaction();
            var next = long.Parse(GetMeta("birth_sequence", transaction) ?? "0") + 1;
            SetMeta("birth_sequence", next.ToString(), transaction);
            transaction.Commit();
            return next;
        }
    }

    /// <summary>Stores the running agent's latest local status (JSON) beside the outbox, for <c>edge-agent status</c> in another process.</summary>
    public void SaveLocalStatus(string json)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            SetMeta("local_status", json, null);
        }
    }

    /// <summary>The JSON last stored by <see cref="SaveLocalStatus"/>, or null.</summary>
    public string? ReadLocalStatus()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return GetMeta("local_status", null);
        }
    }

    /// <summary>Reads a PRAGMA of the store's own connection (some, like synchronous, are per connection).</summary>
    internal long ReadPragma(string name)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var command = Command(null, $"PRAGMA {name}");
            return Convert.ToInt64(command.ExecuteScalar());
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _connection.Dispose();
        }
    }

    private const string EntryColumns =
        "seq, result_id, state, acquired_at, created_at, published_at, attempts, last_error, bytes, overlay IS NOT NULL AS has_overlay";

    private static OutboxEntry ReadEntry(SqliteDataReader reader) => new()
    {
        Sequence = reader.GetInt64(0),
        ResultId = reader.GetString(1),
        State = (OutboxEntryState)reader.GetInt32(2),
        AcquiredAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        PublishedAt = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        Attempts = reader.GetInt32(6),
        LastError = reader.IsDBNull(7) ? null : reader.GetString(7),
        Bytes = reader.GetInt64(8),
        HasOverlay = reader.GetBoolean(9),
    };

    /// <summary>
    /// Why one more result of <paramref name="extraBytes"/> cannot be stored, or null when there is room.
    /// Kept (published) results count as room: when bytes are short the oldest of them are pruned first
    /// (only when <paramref name="pruneKept"/>; a stats probe changes nothing).
    /// </summary>
    private string? FullReasonFor(long extraBytes, SqliteTransaction? transaction, bool pruneKept)
    {
        var (pending, pendingBytes, total) = Totals(transaction);
        if (pending >= _options.MaxPendingCount)
        {
            return $"outbox holds {pending} unsent results (Outbox:MaxPendingCount = {_options.MaxPendingCount})";
        }
        if (pendingBytes + extraBytes > _options.MaxBytes)
        {
            return $"outbox holds {pendingBytes} bytes of unsent results (Outbox:MaxBytes = {_options.MaxBytes})";
        }
        if (pruneKept && total + extraBytes > _options.MaxBytes)
        {
            PruneKeptUntilRoom(total + extraBytes - _options.MaxBytes, transaction);
        }
        return null;
    }

    private (long Pending, long PendingBytes, long Total) Totals(SqliteTransaction? transaction)
    {
        using var select = Command(transaction,
            "SELECT COALESCE(SUM(state = 0), 0), COALESCE(SUM(CASE WHEN state = 0 THEN bytes END), 0), COALESCE(SUM(bytes), 0) FROM outbox");
        using var reader = select.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private void PruneKeptUntilRoom(long excess, SqliteTransaction? transaction)
    {
        using var select = Command(transaction, "SELECT seq, bytes FROM outbox WHERE state = 1 ORDER BY published_at, seq");
        var victims = new List<long>();
        using (var reader = select.ExecuteReader())
        {
            while (excess > 0 && reader.Read())
            {
                victims.Add(reader.GetInt64(0));
                excess -= reader.GetInt64(1);
            }
        }
        using var delete = Command(transaction, "DELETE FROM outbox WHERE seq = $seq");
        var seq = delete.Parameters.Add("$seq", SqliteType.Integer);
        foreach (var victim in victims)
        {
            seq.Value = victim;
            delete.ExecuteNonQuery();
        }
    }

    private bool Exists(string resultId, SqliteTransaction? transaction)
    {
        using var select = Command(transaction, "SELECT 1 FROM outbox WHERE result_id = $id");
        select.Parameters.AddWithValue("$id", resultId);
        return select.ExecuteScalar() is not null;
    }

    private string? GetMeta(string key, SqliteTransaction? transaction)
    {
        using var select = Command(transaction, "SELECT value FROM meta WHERE key = $key");
        select.Parameters.AddWithValue("$key", key);
        return select.ExecuteScalar() as string;
    }

    private void SetMeta(string key, string value, SqliteTransaction? transaction)
    {
        using var upsert = Command(transaction, "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        upsert.Parameters.AddWithValue("$key", key);
        upsert.Parameters.AddWithValue("$value", value);
        upsert.ExecuteNonQuery();
    }

    private void CreateSchema()
    {
        using (var pragmas = Command(null, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"))
        {
            pragmas.ExecuteNonQuery();
        }
        using var version = Command(null, "PRAGMA user_version");
        var current = Convert.ToInt32(version.ExecuteScalar());
        if (current > SchemaVersion)
        {
            throw new InvalidOperationException($"Outbox database '{DatabasePath}' has schema version {current}; this agent knows up to {SchemaVersion}.");
        }
        using var create = Command(null, $"""
            CREATE TABLE IF NOT EXISTS outbox (
              seq          INTEGER PRIMARY KEY AUTOINCREMENT,
              result_id    TEXT    NOT NULL UNIQUE,
              state        INTEGER NOT NULL,
              acquired_at  INTEGER NOT NULL,
              created_at   INTEGER NOT NULL,
              published_at INTEGER,
              attempts     INTEGER NOT NULL,
              last_error   TEXT,
              bytes        INTEGER NOT NULL,
              result_json  BLOB    NOT NULL,
              overlay      BLOB
            );
            CREATE INDEX IF NOT EXISTS ix_outbox_state_order ON outbox (state, acquired_at, seq);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            PRAGMA user_version = {SchemaVersion};
            """);
        create.ExecuteNonQuery();
    }

    private SqliteCommand Command(SqliteTransaction? transaction, string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
