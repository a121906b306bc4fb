using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace EdgeAgent.Tests;

/// <summary>
/// The real <c>edge-agent run</c> (folder pipeline, ledger, outbox, MQTT link) as a child process, SIGKILLed in the
/// middle of diagnosing a batch of dropped images and in the middle of draining its queue to a real mosquitto, then
/// started again on the same folders until everything is delivered.
/// </summary>
[Collection(AgentProcessCollection.Name)]
public sealed class AgentKillTests(ITestOutputHelper output)
{
    private const int Inputs = 150;
    private const int MaxInFlight = 4;
    // The publisher marks acknowledged entries published once per batch: a kill can repeat at most one batch on the wire.
    // A small batch also means a disk flush every few results, which keeps a 150-result drain long enough to kill in the middle.
    private const int BatchSize = 5;
    private const string Site = "test-site";
    private const string Device = "test-device";
    private static readonly string ResultsTopic = Topics.Results(Site, Device);
    private static readonly string StatusTopic = Topics.Status(Site, Device);

    private sealed record Input(int Index, string FileName, string Sha256, string ResultId);

    [Fact(Timeout = 240_000)]
    public async Task Killed_twice_mid_batch_and_twice_mid_drain_then_restarted_every_input_has_one_result_delivered_in_order()
    {
        var clock = Stopwatch.StartNew();
        await using var folders = AgentHarness.Create();
        using var broker = MosquittoBroker.Create();
        // The hub's persistent session exists on the broker before the agent publishes anything (saved at a clean stop).
        await broker.StartAsync();
        await (await TestSubscriber.ConnectAsync(broker.Port, "hub", persistent: true, ResultsTopic, StatusTopic)).DisposeAsync();
        await broker.StopAsync();

        var inputs = DropInputs(folders.Inbox);
        var byId = inputs.ToDictionary(i => i.ResultId);
        folders.Settings["Mqtt:Enabled"] = "true";
        folders.Settings["Mqtt:Url"] = broker.PlainUrl;
        folders.Settings["Mqtt:ReconnectMinDelay"] = "00:00:00.100";
        folders.Settings["Mqtt:ReconnectMaxDelay"] = "00:00:01";
        folders.Settings["Input:MaxInFlight"] = MaxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture);
        folders.Settings["Outbox:BatchSize"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var outboxPath = Path.Combine(folders.Data, "outbox.db");

        // Broker down: the agent diagnoses offline and is SIGKILLed twice in the middle of the batch.
        using var agent = AgentProcess.Run(folders.Settings);
        foreach (var share in new[] { 3, 3 * 2 })
        {
            var target = Inputs * share / 9;
            await agent.KillWhenAsync(() => Count(folders.Processed) >= target, TimeSpan.FromSeconds(60), $"{target} inputs processed");
            var processed = Count(folders.Processed);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: SIGKILL {agent.Starts} with {processed} of {Inputs} processed");
            Assert.True(processed < Inputs, $"the kill came after the whole batch ({processed} processed)");
            AssertNothingLostOnDisk(folders, inputs, outboxPath);
            agent.Restart();
        }

        await agent.WaitUntilAsync(() => Count(folders.Processed) == Inputs, TimeSpan.FromSeconds(60), "every input processed");
        AssertNothingLostOnDisk(folders, inputs, outboxPath);
        Assert.Equal(Inputs, CountInOutbox(outboxPath, OutboxEntryState.Pending));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: all {Inputs} processed offline and queued");

        // Broker up: the running agent reconnects and drains; SIGKILL once its outbox has a third of the results marked
        // published, and again (after a restart) at two thirds. (The outbox, not the hub, decides when: a hub that connects
        // a moment after the agent receives the first part of the drain as one burst from its persistent session.)
        await broker.StartAsync();
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, "hub", persistent: true, ResultsTopic, StatusTopic);
        var drainKills = 0;
        foreach (var share in new[] { 1, 2 })
        {
            var target = Inputs * share / 3;
            await agent.KillWhenAsync(() => CountInOutbox(outboxPath, OutboxEntryState.Published) >= target, TimeSpan.FromSeconds(60), $"{target} results published");
            drainKills++;
            var pendingAtKill = CountInOutbox(outboxPath, OutboxEntryState.Pending);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: SIGKILL {agent.Starts} mid-drain, {DistinctResults(hub)} results at the hub, {pendingAtKill} still pending");
            Assert.True(pendingAtKill > 0, "the kill came after the whole drain");
            // The broker saw the connection die without a DISCONNECT: its Last Will marks the device offline.
            await hub.WaitForAsync(m => m.Count(x => x.Topic == StatusTopic && Json.Status(x).State == DeviceStates.Offline) >= drainKills,
                TimeSpan.FromSeconds(20), "Last Will offline");
            agent.Restart();
        }

        var received = await hub.WaitForAsync(m => m.Where(x => x.Topic == ResultsTopic).Select(Json.ResultId).ToHashSet().IsSupersetOf(byId.Keys),
            TimeSpan.FromSeconds(60), "every result at the hub");
        await agent.WaitUntilAsync(() => CountInOutbox(outboxPath, OutboxEntryState.Pending) == 0, TimeSpan.FromSeconds(30), "an empty queue");
        Assert.Equal(0, await agent.StopAsync(TimeSpan.FromSeconds(20)));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: delivered after {agent.Starts} starts");

        var results = received.Where(x => x.Topic == ResultsTopic).ToList();
        // No result lost and none made under a second id: exactly the inputs' ids arrived, each naming its own input.
        Assert.Equal(byId.Keys.ToHashSet(), results.Select(Json.ResultId).ToHashSet());
        Assert.All(results, m =>
        {
            var result = Json.Result(m);
            Assert.Equal(byId[result.ResultId].FileName, result.Input.FileName);
            Assert.Equal(byId[result.ResultId].Sha256, result.Input.Sha256);
        });
        // Duplicates on the wire are byte-identical copies, at most the one batch each mid-drain kill left unmarked.
        var copies = results.GroupBy(Json.ResultId).Where(g => g.Count() > 1).ToList();
        Assert.All(copies, g => Assert.All(g, c => Assert.Equal(g.First().Payload, c.Payload)));
        Assert.True(results.Count - Inputs <= BatchSize * drainKills, $"{results.Count - Inputs} repeated results; at most {BatchSize} per mid-drain kill expected");
        // The documented order: a drain sends in acquisition order (the inputs' modification times, one second apart).
        var firstArrivals = results.Select(Json.ResultId).Distinct().Select(id => byId[id].Index).ToList();
        Assert.Equal(Enumerable.Range(0, Inputs), firstArrivals);

        AssertNothingLostOnDisk(folders, inputs, outboxPath);
        Assert.Equal(Inputs, new ProcessingLedger(Path.Combine(folders.Data, "ledger.db")).Count());
        using (var outbox = new OutboxStore(new OutboxOptions { Path = outboxPath }, TimeProvider.System))
        {
            var entries = outbox.List(limit: 10_000);
            Assert.Equal(Inputs, entries.Count);
            Assert.All(entries, e => Assert.Equal(OutboxEntryState.Published, e.State));
        }
        // No input diagnosed twice: a second diagnosis would have rewritten its results file with a later diagnosedAt than
        // the one committed to the outbox and sent.
        foreach (var message in results)
        {
            var sent = Json.Result(message);
            var file = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(folders.Results, sent.ResultId + ".json")), ResultFileJson.Default.ResultMessage)!;
            Assert.Equal(sent.DiagnosedAt, file.DiagnosedAt);
        }
        var recovered = agent.AllOutput.Count(l => l.Contains("already committed before a restart", StringComparison.Ordinal));
        output.WriteLine($"{results.Count} result messages for {Inputs} inputs ({results.Count - Inputs} repeated); {recovered} inputs committed " +
                         $"before a kill were recovered without a second diagnosis; {clock.Elapsed.TotalSeconds:F1} s in all");
    }

    /// <summary>Distinct seeded PNGs, modification times one second apart in index order (their acquisition order).</summary>
    private static List<Input> DropInputs(string inbox)
    {
        var start = DateTime.UtcNow.AddHours(-1);
        var inputs = new List<Input>();
        for (var i = 0; i < Inputs; i++)
        {
            var content = TestImages.Noise(5000 + i, size: 32);
            var name = $"xray-{i:D4}.png";
            var path = Path.Combine(inbox, name);
            File.WriteAllBytes(path, content);
            File.SetLastWriteTimeUtc(path, start.AddSeconds(i));
            var sha = Convert.ToHexStringLower(SHA256.HashData(content));
            inputs.Add(new Input(i, name, sha, ResultIds.For(sha, "test-gap-untrained", "0.0.1")));
        }
        return inputs;
    }

    /// <summary>
    /// With the agent stopped: every input is in exactly one place (still waiting, or processed with its content intact),
    /// none is quarantined, and every processed input has its ledger row and its result in the outbox and the results
    /// folder (all committed before the move).
    /// </summary>
    private static void AssertNothingLostOnDisk(AgentHarness folders, List<Input> inputs, string outboxPath)
    {
        Assert.Empty(Directory.Exists(folders.Failed) ? Directory.GetFiles(folders.Failed) : []);
        var ledger = new ProcessingLedger(Path.Combine(folders.Data, "ledger.db"));
        using var outbox = new OutboxStore(new OutboxOptions { Path = outboxPath }, TimeProvider.System);
        var processedFiles = Directory.GetFiles(folders.Processed).Select(Path.GetFileName).ToHashSet();
        Assert.Equal(Count(folders.Processed), processedFiles.Count);
        Assert.Equal(Inputs, Count(folders.Inbox) + processedFiles.Count);
        foreach (var input in inputs)
        {
            var waiting = File.Exists(Path.Combine(folders.Inbox, input.FileName));
            var processed = processedFiles.Contains(input.FileName);
            Assert.True(waiting ^ processed, $"{input.FileName}: waiting {waiting}, processed {processed}");
            if (processed)
            {
                Assert.Equal(input.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folders.Processed, input.FileName)))));
                Assert.Equal(input.ResultId, ledger.Find(input.Sha256)?.ResultId);
                Assert.True(outbox.Contains(input.ResultId), $"{input.FileName} moved without its result in the outbox");
                Assert.True(File.Exists(Path.Combine(folders.Results, input.ResultId + ".json")), $"{input.FileName} moved without its result file");
            }
        }
        // The ledger row comes before the move: a kill in between leaves a recorded input waiting (one per worker at most).
        Assert.InRange(ledger.Count(), processedFiles.Count, processedFiles.Count + MaxInFlight);
    }

    /// <summary>Read-only, so that polling it never takes the write lock the running agent needs.</summary>
    private static long CountInOutbox(string outboxPath, OutboxEntryState state)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = outboxPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM outbox WHERE state = $state";
        command.Parameters.AddWithValue("$state", (int)state);
        return (long)command.ExecuteScalar()!;
    }

    private static int DistinctResults(TestSubscriber hub) => hub.Messages.Where(x => x.Topic == ResultsTopic).Select(Json.ResultId).Distinct().Count();

    private static int Count(string folder) => Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0;
}
