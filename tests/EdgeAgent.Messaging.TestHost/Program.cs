using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Messaging.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;

// A stand-in for the agent, run as a child process by the SIGKILL tests and as the messaging benchmark.
//   process --data DIR --url URL --inputs DIR --done DIR [--delay-ms N] [--overlay-bytes N]
//       the agent's commit protocol: for each input (in name order) make its result, commit it to the
//       outbox, then move the input away; meanwhile the messaging service drains the outbox.
//   bench --data DIR --url URL [--count N]
//       prints enqueue rate, drain time of N queued results, live publish rate and outbox bytes per result.
var options = ParseArguments(args);
return args.FirstOrDefault() switch
{
    "process" => await ProcessAsync(options),
    "bench" => await BenchAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: process --data DIR --url URL --inputs DIR --done DIR [--delay-ms N] | bench --data DIR --url URL [--count N]");
    return 2;
}

static async Task<int> ProcessAsync(Dictionary<string, string> options)
{
    using var host = BuildHost(options["--data"], options["--url"]);
    await host.StartAsync();
    var outbox = host.Services.GetRequiredService<OutboxStore>();
    var delay = int.Parse(options.GetValueOrDefault("--delay-ms", "0"), CultureInfo.InvariantCulture);
    var overlayBytes = int.Parse(options.GetValueOrDefault("--overlay-bytes", "0"), CultureInfo.InvariantCulture);
    Directory.CreateDirectory(options["--done"]);
    foreach (var path in Directory.GetFiles(options["--inputs"]).Order(StringComparer.Ordinal))
    {
        var name = Path.GetFileName(path);
        var content = await File.ReadAllBytesAsync(path);
        var id = SampleResults.IdFor(content);
        if (outbox.Contains(id))
        {
            // Committed before a crash, not yet moved: the result exists, so the input is not processed again.
            Console.WriteLine($"skipped {name} {id}");
        }
        else
        {
            if (delay > 0)
            {
                await Task.Delay(delay);
            }
            var index = int.Parse(name.AsSpan(4, 5), CultureInfo.InvariantCulture);
            // A deterministic stand-in for the overlay PNG, so a result made again is byte-identical.
            ReadOnlyMemory<byte>? overlay = overlayBytes > 0 ? Enumerable.Repeat(content, overlayBytes / content.Length + 1).SelectMany(b => b).Take(overlayBytes).ToArray() : null;
            while (outbox.Enqueue(SampleResults.Create(index, name, content, hasOverlay: overlay is not null), overlay) == EnqueueOutcome.Full)
            {
                await Task.Delay(100);
            }
            Console.WriteLine($"processed {name} {id}");
        }
        File.Move(path, Path.Combine(options["--done"], name));
    }
    while (outbox.GetStats().PendingCount > 0)
    {
        await Task.Delay(50);
    }
    Console.WriteLine("idle");
    await host.WaitForShutdownAsync();
    return 0;
}

static async Task<int> BenchAsync(Dictionary<string, string> options)
{
    var count = int.Parse(options.GetValueOrDefault("--count", "1000"), CultureInfo.InvariantCulture);
    var url = new Uri(options["--url"]);
    var data = options["--data"];
    using var subscriber = new MqttClientFactory().CreateMqttClient();
    var received = 0;
    long firstTicks = 0, lastTicks = 0;
    var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var target = count;
    subscriber.ApplicationMessageReceivedAsync += _ =>
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref firstTicks, now, 0);
        Volatile.Write(ref lastTicks, now);
        if (Interlocked.Increment(ref received) == Volatile.Read(ref target))
        {
            all.TrySetResult();
        }
        return Task.CompletedTask;
    };
    await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(url.Host, url.Port).WithClientId("bench-sub").Build());
    await subscriber.SubscribeAsync(Topics.Results("clinic1", "dev1"), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);

    // 1. Enqueue N results while offline (each a durable commit).
    var results = Enumerable.Range(0, 2 * count).Select(i => SampleResults.Numbered(i)).ToArray();
    using (var offline = new OutboxStore(new OutboxOptions { Path = Path.Combine(data, "outbox.db") }, TimeProvider.System))
    {
        var enqueue = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            offline.Enqueue(results[i]);
        }
        enqueue.Stop();
        var stats = offline.GetStats();
        Console.WriteLine($"enqueue: {count / enqueue.Elapsed.TotalSeconds:0} results/s ({enqueue.Elapsed.TotalMilliseconds / count:0.00} ms per durable commit)");
        Console.WriteLine($"outbox bytes per result: payload {stats.PendingBytes / (double)count:0} B, database file with open WAL {stats.FileBytes / (double)count:0} B");
    }
    // Closing the last connection checkpoints the WAL into the database file.
    Console.WriteLine($"outbox bytes per result after checkpoint: {new FileInfo(Path.Combine(data, "outbox.db")).Length / (double)count:0} B");

    // 2. Connect and drain the backlog.
    var drain = Stopwatch.StartNew();
    using var host = BuildHost(data, options["--url"]);
    await host.StartAsync();
    await all.Task.WaitAsync(TimeSpan.FromMinutes(5));
    drain.Stop();
    var firstToLast = Stopwatch.GetElapsedTime(Interlocked.Read(ref firstTicks), Volatile.Read(ref lastTicks));
    Console.WriteLine($"drain of {count} queued: {drain.Elapsed.TotalSeconds:0.000} s from host start (includes start-up and connect); first to last result {firstToLast.TotalSeconds:0.000} s = {(count - 1) / firstToLast.TotalSeconds:0} results/s");

    // 3. Live: enqueue while connected, as the agent does, until all are acknowledged and received.
    all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    Volatile.Write(ref target, 2 * count);
    var outbox = host.Services.GetRequiredService<OutboxStore>();
    var live = Stopwatch.StartNew();
    for (var i = count; i < 2 * count; i++)
    {
        outbox.Enqueue(results[i]);
    }
    await all.Task.WaitAsync(TimeSpan.FromMinutes(5));
    live.Stop();
    Console.WriteLine($"live enqueue+publish+receive of {count}: {live.Elapsed.TotalSeconds:0.000} s ({count / live.Elapsed.TotalSeconds:0} results/s)");
    await host.StopAsync();
    return 0;
}

static IHost BuildHost(string data, string url)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Outbox:Path"] = Path.Combine(data, "outbox.db"),
        ["Mqtt:Url"] = url,
        ["Mqtt:Site"] = "clinic1",
        ["Mqtt:DeviceId"] = "dev1",
        ["Mqtt:ReconnectMinDelay"] = "00:00:00.100",
        ["Mqtt:ReconnectMaxDelay"] = "00:00:01",
        ["Mqtt:OperationTimeout"] = "00:00:05",
        ["Mqtt:KeepAlive"] = "00:00:05",
    });
    builder.Logging.ClearProviders();
    builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddEdgeAgentMessaging(builder.Configuration);
    return builder.Build();
}

static Dictionary<string, string> ParseArguments(string[] args)
{
    var options = new Dictionary<string, string>();
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        options[args[i]] = args[i + 1];
    }
    return options;
}
