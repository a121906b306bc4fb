using System.Data.Common;

namespace EdgeAgent.Hub.Storage;

/// <summary>
/// The WHERE clause of a <see cref="ResultQuery"/>, shared by the SQLite and PostgreSQL stores: the columns are the same,
/// only the parameter marker (<c>$</c> or <c>@</c>) and the storage of times differ.
/// </summary>
internal static class ResultQuerySql
{
    /// <summary>Adds the query's parameters to <paramref name="command"/> and returns " WHERE ..." (or "" when nothing filters).</summary>
    public static string Where(DbCommand command, ResultQuery query, char marker, Func<DateTimeOffset, object> time)
    {
        var clauses = new List<string>();
        void Add(string column, string op, string name, object? value)
        {
            if (value is not null)
            {
                clauses.Add($"{column} {op} {Parameter(command, marker + name, value)}");
            }
        }

        Add("device_id", "=", "device", query.DeviceId);
        Add("site", "=", "site", query.Site);
        Add("label", "=", "label", query.Label);
        if (query.Statuses is { Count: > 0 } statuses)
        {
            var names = statuses.Select((status, i) => Parameter(command, $"{marker}status{i}", status));
            clauses.Add($"status IN ({string.Join(", ", names)})");
        }
        Add("acquired_at", ">=", "from", query.From is { } from ? time(from) : null);
        Add("acquired_at", "<", "to", query.To is { } to ? time(to) : null);
        return clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses);
    }

    private static string Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return name;
    }
}
