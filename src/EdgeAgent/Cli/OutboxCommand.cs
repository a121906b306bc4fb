using System.CommandLine;
using System.Globalization;
using EdgeAgent.Configuration;
using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Messaging.Publishing;

namespace EdgeAgent.Cli;

/// <summary>
/// `edge-agent outbox stats|list|republish [--outbox FILE]`: the durable MQTT outbox, read (and for
/// republish, changed) beside a running agent; SQLite WAL lets both work at once.
/// </summary>
internal static class OutboxCommand
{
    public static Command Create()
    {
        var outbox = new Option<FileInfo>("--outbox")
        {
            Description = "Outbox database (default: <Agent:DataDirectory>/outbox.db)",
            DefaultValueFactory = _ => new FileInfo(Path.Combine(new AgentOptions().DataDirectory, "outbox.db")),
            Recursive = true,
        };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Acquired at or after (ISO 8601)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Acquired at or before (ISO 8601)" };

        var stats = new Command("stats", "Queue depth, bytes, oldest unsent, last publish, and the running agent's last link status");
        stats.SetAction(parse => Stats(parse.GetValue(outbox)!, Console.Out, Console.Error));

        var state = new Option<string?>("--state") { Description = "pending or published (default: both)" };
        state.AcceptOnlyFromAmong("pending", "published");
        var limit = new Option<int>("--limit") { Description = "At most this many entries", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "Entries in acquisition order") { state, from, to, limit };
        list.SetAction(parse => List(parse.GetValue(outbox)!, parse.GetValue(state), parse.GetValue(from), parse.GetValue(to), parse.GetValue(limit), Console.Out, Console.Error));

        var republish = new Command("republish", "Queue kept (already published) results of a time range again; the agent re-sends them with their original ids") { from, to };
        republish.SetAction(parse => Republish(parse.GetValue(outbox)!, parse.GetValue(from), parse.GetValue(to), Console.Out, Console.Error));

        return new Command("outbox", "The durable MQTT outbox: stats, list, republish") { outbox, stats, list, republish };
    }

    internal static int Stats(FileInfo file, TextWriter output, TextWriter error)
    {
        using var store = Open(file, error);
        if (store is null)
        {
            return Hosting.ExitCodes.Config;
        }
        var s = store.GetStats();
        output.WriteLine($"outbox:            {store.DatabasePath} ({s.FileBytes} bytes on disk)");
        output.WriteLine($"unsent:            {s.PendingCount} results, {s.PendingBytes} bytes");
        output.WriteLine($"oldest unsent:     {(s.OldestPendingAcquiredAt is { } oldest ? $"{oldest:O} ({s.OldestPendingAge!.Value.TotalHours:0.0} h ago){(s.Stale ? " STALE" : "")}" : "-")}");
        output.WriteLine($"kept for resync:   {s.PublishedCount} results, {s.PublishedBytes} bytes");
        output.WriteLine($"last publish:      {s.LastPublishedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "-"}");
        output.WriteLine($"full:              {s.FullReason ?? "no"}");
        if (LocalStatusReport.Read(store) is { } local)
        {
            output.WriteLine($"agent reported at: {local.WrittenAt:O}");
            output.WriteLine($"link:              {(local.Link.Connected ? "connected" : "NOT connected")} to {local.Link.Endpoint}{(local.Link.LastError is { } e && !local.Link.Connected ? $" ({e})" : "")}");
            output.WriteLine($"model:             {local.Status.ModelName} {local.Status.ModelVersion} on {local.Status.Provider}");
            output.WriteLine($"processed/failed:  {local.Status.Processed}/{local.Status.Failed}");
        }
        return Hosting.ExitCodes.Ok;
    }

    internal static int List(FileInfo file, string? state, DateTimeOffset? from, DateTimeOffset? to, int limit, TextWriter output, TextWriter error)
    {
        using var store = Open(file, error);
        if (store is null)
        {
            return Hosting.ExitCodes.Config;
        }
        OutboxEntryState? filter = state switch { "pending" => OutboxEntryState.Pending, "published" => OutboxEntryState.Published, _ => null };
        output.WriteLine("state      acquired-at                       result-id                       bytes  attempts  last-error");
        foreach (var e in store.List(filter, from, to, limit))
        {
            output.WriteLine($"{e.State.ToString().ToLowerInvariant(),-10} {e.AcquiredAt:O}  {e.ResultId,-30} {e.Bytes,7}  {e.Attempts,8}  {e.LastError}");
        }
        return Hosting.ExitCodes.Ok;
    }

    internal static int Republish(FileInfo file, DateTimeOffset? from, DateTimeOffset? to, TextWriter output, TextWriter error)
    {
        if (from > to)
        {
            error.WriteLine("--from is after --to");
            return Hosting.ExitCodes.Usage;
        }
        using var store = Open(file, error);
        if (store is null)
        {
            return Hosting.ExitCodes.Config;
        }
        var count = store.Republish(from, to);
        output.WriteLine($"{count} kept results queued again; the running agent sends them within 30 s");
        return Hosting.ExitCodes.Ok;
    }

    private static OutboxStore? Open(FileInfo file, TextWriter error)
    {
        if (!file.Exists)
        {
            error.WriteLine($"No outbox at {file.FullName} (set --outbox to the agent's <DataDirectory>/outbox.db)");
            return null;
        }
        return new OutboxStore(new OutboxOptions { Path = file.FullName }, TimeProvider.System);
    }
}
