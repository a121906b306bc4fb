using System.Diagnostics;
using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Models;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Hosting;

/// <summary>
/// Runs the real agent host over a scratch folder: starts it, drops the given files into its watch folder at once
/// (renames, as a copy tool finishing would), waits until every one has ended, and stops it. Used by demo and bench.
/// </summary>
internal sealed class FolderRun
{
    public required string Root { get; init; }
    public required string ModelPath { get; init; }
    public int MaxInFlight { get; init; } = 2;
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromMilliseconds(200);
    public IReadOnlyDictionary<string, string?>? Extra { get; init; }
    /// <summary>When set, publish over MQTT: before stopping, wait up to this long for the broker to acknowledge every queued result.</summary>
    public TimeSpan? DrainTimeout { get; init; }

    public string Inbox => Path.Combine(Root, "inbox");
    public string Data => Path.Combine(Root, "data");
    public string Results => Path.Combine(Data, "results");

    /// <param name="Unsent">Results still in the outbox when the run stopped (null when MQTT was off).</param>
    public sealed record Outcome(IReadOnlyList<InputOutcome> Inputs, TimeSpan Elapsed, LoadedModel Model, long? Unsent);

    public async Task<Outcome?> RunAsync(IReadOnlyList<string> files, TextWriter error, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Inbox);
        var settings = new Dictionary<string, string?>
        {
            ["Agent:DataDirectory"] = Data,
            ["Input:WatchFolder"] = Inbox,
            ["Input:MaxInFlight"] = MaxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Input:SettleTime"] = SettleTime.ToString(),
            ["Model:Path"] = ModelPath,
            ["Mqtt:Enabled"] = DrainTimeout is null ? "false" : "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in Extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        using var host = AgentHost.CreateBuilder(new AgentHostSettings { Overrides = settings, ReadAppSettings = false }).Build();
        if (await AgentRunner.StartAsync(host, error, cancellationToken) is not null)
        {
            return null;
        }

        var monitor = host.Services.GetRequiredService<PipelineMonitor>();
        await monitor.WaitUntilAsync(m => m.Started, TimeSpan.FromMinutes(1), cancellationToken);
        var clock = Stopwatch.StartNew();
        foreach (var file in files)
        {
            File.Move(file, Path.Combine(Inbox, Path.GetFileName(file)));
        }

        await monitor.WaitUntilAsync(
            m => m.Outcomes.Count(o => o.Kind != InputOutcomeKind.Deferred) >= files.Count && m.Pending == 0,
            TimeSpan.FromHours(1), cancellationToken);
        var elapsed = clock.Elapsed;
        var model = host.Services.GetRequiredService<LoadedModel>();
        var outcomes = monitor.Outcomes.ToList();
        var unsent = DrainTimeout is { } limit ? await WaitForDrainAsync(host.Services.GetRequiredService<OutboxStore>(), limit, cancellationToken) : (long?)null;
        await host.StopAsync(CancellationToken.None);
        return new Outcome(outcomes, elapsed, model, unsent);
    }

    /// <summary>The outbox empties only as the broker acknowledges (PUBACK); polling its count is the simplest observer.</summary>
    private static async Task<long> WaitForDrainAsync(OutboxStore outbox, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long pending;
        while ((pending = outbox.GetStats().PendingCount) > 0 && clock.Elapsed < limit)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        return pending;
    }
}
