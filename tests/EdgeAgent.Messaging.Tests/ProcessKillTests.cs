using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Messaging.TestHost;
using Xunit.Abstractions;

namespace EdgeAgent.Messaging.Tests;

/// <summary>
/// The agent's commit protocol under SIGKILL: a child process (EdgeAgent.Messaging.TestHost) commits each
/// result to the outbox before moving its input away, while the messaging service drains to mosquitto.
/// </summary>
public sealed class ProcessKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Inputs = 400;
    private static readonly string ResultsTopic = Topics.Results(MessagingHarness.Site, MessagingHarness.Device);
    private static readonly string StatusTopic = Topics.Status(MessagingHarness.Site, MessagingHarness.Device);
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    // 5 ms of "inference" per input and a 64 KB overlay per result, so that a backlog takes a while to drain.
    private ChildProcess StartAgent(string url, string inputs, string done) => ChildProcess.Start("dotnet",
        Path.Combine(AppContext.BaseDirectory, "EdgeAgent.Messaging.TestHost.dll"), "process",
        "--data", _work.Directory("data"), "--url", url, "--inputs", inputs, "--done", done, "--delay-ms", "5", "--overlay-bytes", "65536");

    private long PendingInOutbox()
    {
        using var outbox = new OutboxStore(new OutboxOptions { Path = Path.Combine(_work.Path, "data", "outbox.db") }, TimeProvider.System);
        return outbox.GetStats().PendingCount;
    }

    private static int Count(IEnumerable<string> lines, string prefix) => lines.Count(l => l.StartsWith(prefix, StringComparison.Ordinal));

    [Fact(Timeout = 120_000)]
    public async Task Killed_mid_processing_and_mid_drain_then_restarted_nothing_is_lost_nothing_is_made_twice()
    {
        var inputs = _work.Directory("inputs");
        var done = _work.Directory("done");
        var expected = new Dictionary<string, string>();
        for (var i = 0; i < Inputs; i++)
        {
            var content = System.Text.Encoding.UTF8.GetBytes($"x-ray {i} " + new string('#', i % 17));
            await File.WriteAllBytesAsync(Path.Combine(inputs, $"img-{i:D5}.png"), content);
            expected[SampleResults.IdFor(content)] = $"img-{i:D5}.png";
        }
        using var broker = MosquittoBroker.Create();
        // The hub's persistent session exists on the broker (made once, saved at a clean stop).
        await broker.StartAsync();
        await (await TestSubscriber.ConnectAsync(broker.Port, "hub", persistent: true, ResultsTopic, StatusTopic)).DisposeAsync();
        await broker.StopAsync();

        // Run 1, broker down: killed in the middle of processing, with a backlog in the outbox.
        using var first = StartAgent(broker.PlainUrl, inputs, done);
        await first.WaitForAsync(lines => Count(lines, "processed ") >= 120, TimeSpan.FromSeconds(60), "120 processed");
        first.Kill();
        var backlog = PendingInOutbox();
        output.WriteLine($"run 1 SIGKILLed after {Count(first.Lines, "processed ")} processed; backlog {backlog}; {Directory.GetFiles(inputs).Length} inputs left");
        Assert.True(backlog >= 120, "run 1 left a backlog");

        // Run 2, broker up: killed in the middle of draining that backlog (and of processing the rest).
        await broker.StartAsync();
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, "hub", persistent: true, ResultsTopic, StatusTopic);
        using var second = StartAgent(broker.PlainUrl, inputs, done);
        await hub.WaitForAsync(m => m.Count(x => x.Topic == ResultsTopic) >= 30, TimeSpan.FromSeconds(30), "30 published");
        second.Kill();
        var pendingAtKill = PendingInOutbox();
        output.WriteLine($"run 2 SIGKILLed with {hub.Messages.Count(x => x.Topic == ResultsTopic)} received and {pendingAtKill} committed but unsent; {Directory.GetFiles(inputs).Length} inputs left");
        Assert.True(pendingAtKill > 0, "killed in the middle of a drain");
        Assert.True(Directory.GetFiles(inputs).Length > 0, "killed in the middle of processing");

        // The broker saw the connection die without a DISCONNECT: the Last Will says offline.
        await hub.WaitForAsync(m => m.Any(x => x.Topic == StatusTopic && Json.Status(x).State == DeviceStates.Offline),
            TimeSpan.FromSeconds(20), "Last Will offline");

        using var third = StartAgent(broker.PlainUrl, inputs, done);
        await third.WaitForLineAsync("idle", TimeSpan.FromSeconds(60));
        var received = await hub.WaitForAsync(m => m.Where(x => x.Topic == ResultsTopic).Select(Json.ResultId).ToHashSet().IsSupersetOf(expected.Keys),
            TimeSpan.FromSeconds(30), "every result");
        await third.TerminateAsync(TimeSpan.FromSeconds(10));

        var results = received.Where(x => x.Topic == ResultsTopic).ToList();
        // Nothing lost: every input's result arrived, and every input was moved to done.
        Assert.Equal(expected.Keys.ToHashSet(), results.Select(Json.ResultId).ToHashSet());
        Assert.Empty(Directory.GetFiles(inputs));
        Assert.Equal(Inputs, Directory.GetFiles(done).Length);
        // Nothing made twice: no input was committed by two runs (a rerun skips what the outbox holds; a kill
        // between the commit and its "processed" line shows up as "skipped" only) ...
        var lines = first.Lines.Concat(second.Lines).Concat(third.Lines).ToList();
        var committed = lines.Where(l => l.StartsWith("processed ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();
        var skipped = lines.Where(l => l.StartsWith("skipped ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(committed.Count, committed.Distinct().Count());
        Assert.Equal(expected.Values.ToHashSet(), committed.Concat(skipped).ToHashSet());
        // ... each id belongs to exactly one input, and duplicates on the wire are byte-identical copies.
        Assert.All(results, m => Assert.Equal(expected[Json.ResultId(m)], Json.Result(m).Input.FileName));
        foreach (var copies in results.GroupBy(Json.ResultId).Where(g => g.Count() > 1))
        {
            Assert.All(copies, c => Assert.Equal(copies.First().Payload, c.Payload));
        }
        using (var outbox = new OutboxStore(new OutboxOptions { Path = Path.Combine(_work.Path, "data", "outbox.db") }, TimeProvider.System))
        {
            Assert.Equal(Inputs, outbox.List(limit: 10_000).Count);
            Assert.Equal(0, outbox.GetStats().PendingCount);
        }
        output.WriteLine($"{results.Count} result messages for {Inputs} inputs; {Count(second.Lines, "skipped ") + Count(third.Lines, "skipped ")} committed-but-unmoved inputs skipped on restart");
    }
}
