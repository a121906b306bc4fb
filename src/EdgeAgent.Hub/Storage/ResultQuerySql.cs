using System.Data.Common;
using System.Runtime.CompilerServices;

namespace EdgeAgent.Hub.Storage;

/// <summary>
/// The result queries (a filtered page with its total, a filtered export) shared by the SQLite and PostgreSQL stores:
/// the tables and columns are the same, only the parameter marker (<c>$</c> or <c>@</c>), how the payload is selected
/// and how times are stored differ.
/// </summary>
/// <param name="marker">Parameter marker of the provider's SQL.</param>
/// <param name="payload">The select expression of the payload as text.</param>
/// <param name="time">A time as the provider stores it in acquired_at.</param>
/// <param name="read">Reads one row of (payload, received_at).</param>
internal sealed class ResultQuerySql(char marker, string payload, Func<DateTimeOffset, object> time, Func<DbDataReader, StoredResult> read)
{
    private const string Order = " ORDER BY acquired_at DESC, result_id DESC";

    public async Task<ResultPage> PageAsync(DbConnection connection, ResultQuery query, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(query.Limit, 1, ResultQuery.MaxLimit);
        var offset = Math.Max(0, query.Offset);

        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM results" + Where(count, query) + ";";
        var total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken) ?? 0L);

        await using var page = connection.CreateCommand();
        page.CommandText = $"SELECT {payload}, received_at FROM results{Where(page, query)}{Order}"
            + $" LIMIT {Parameter(page, "limit", limit)} OFFSET {Parameter(page, "offset", offset)};";
        var items = new List<StoredResult>(limit);
        await using var reader = await page.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(read(reader));
        }
        return new ResultPage(items, total, offset, limit);
    }

    public async IAsyncEnumerable<StoredResult> ExportAsync(DbConnection connection, ResultQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {payload}, received_at FROM results{Where(command, query)}{Order};";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return read(reader);
        }
    }

    /// <summary>Adds the query's parameters to <paramref name="command"/> and returns " WHERE ..." (or "" when nothing filters).</summary>
    private string Where(DbCommand command, ResultQuery query)
    {
        var clauses = new List<string>();
        void Add(string column, string op, string name, object? value)
        {
            if (value is not null)
            {
                clauses.Add($"{column} {op} {Parameter(command, name, value)}");
            }
        }

        Add("device_id", "=", "device", query.DeviceId);
        Add("site", "=", "site", query.Site);
        Add("label", "=", "label", query.Label);
        if (query.Statuses is { Count: > 0 } statuses)
        {
            var names = statuses.Select((status, i) => Parameter(command, $"status{i}", status));
            clauses.Add($"status IN ({string.Join(", ", names)})");
        }
        Add("acquired_at", ">=", "from", query.From is { } from ? time(from) : null);
        Add("acquired_at", "<", "to", query.To is { } to ? time(to) : null);
        return clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses);
    }

    private string Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = marker + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter.ParameterName;
    }
}
