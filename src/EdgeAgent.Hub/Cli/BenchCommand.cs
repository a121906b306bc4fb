using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using EdgeAgent.Hub.Configuration;
using EdgeAgent.Hub.Hosting;
using EdgeAgent.Messaging.Contracts;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Hub.Cli;

/// <summary>
/// <c>edge-hub bench --results N</c>: starts a throw-away hub (embedded broker, SQLite in a temp folder), has simulated
/// agents publish N results over loopback MQTT, and prints results stored per second; then times the dashboard's
/// requests against the N stored results.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var results = new Option<int>("--results") { Description = "How many results to publish.", DefaultValueFactory = _ => 10_000 };
        var devices = new Option<int>("--devices") { Description = "How many simulated agents publish them.", DefaultValueFactory = _ => 4 };
        var command = new Command("bench", "Measure ingest rate (results stored per second) and dashboard request times.") { results, devices };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var n = parse.GetValue(results);
            var d = parse.GetValue(devices);
            if (n < 1 || d < 1)
            {
                Console.Error.WriteLine("edge-hub bench: --results and --devices must be positive.");
                return 2;
            }
            await RunAsync(n, d, cancellationToken);
            return 0;
        });
        return command;
    }

    private static async Task RunAsync(int count, int deviceCount, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("edge-hub-bench-");
        try
        {
            var options = new HubOptions
            {
                Broker = { Port = FreePort(), ClientId = "edge-hub-bench" },
                Http = { Url = "http://127.0.0.1:0" },
                Storage = { DataDirectory = folder.FullName },
            };
            await using var hub = await HubRuntime.StartAsync(options, cancellationToken,
                configureLogging: b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
            await hub.WaitUntilSubscribedAsync(cancellationToken);
            Console.WriteLine($"bench: hub at {hub.Address}, broker port {hub.BrokerPort}, {count} results from {deviceCount} agents");

            var clock = Stopwatch.StartNew();
            var per = (count + deviceCount - 1) / deviceCount;
            var agents = Enumerable.Range(0, deviceCount)
                .Select(i => PublishAsync(hub.BrokerPort!.Value, $"bench-{i:00}", i * per, Math.Min(per, count - i * per), cancellationToken))
                .ToArray();
            await Task.WhenAll(agents);
            var published = clock.Elapsed;
            while (await hub.Store.CountResultsAsync(cancellationToken) < count)
            {
                await Task.Delay(20, cancellationToken);
            }
            var stored = clock.Elapsed;
            Console.WriteLine($"bench: published {count} in {published.TotalSeconds:0.00} s ({count / published.TotalSeconds:0} results/s, QoS 1, PUBACK awaited)");
            Console.WriteLine($"bench: stored    {count} in {stored.TotalSeconds:0.00} s ({count / stored.TotalSeconds:0} results/s stored in SQLite, synchronous=FULL)");

            using var http = new HttpClient { BaseAddress = hub.Address };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hub.Token.Value);
            string[] dashboard = ["/", "/assets/app.js", "/assets/app.css", "/api/devices", "/api/stats", "/api/results?limit=50"];
            await TimeAsync(http, "dashboard first view (6 requests)", dashboard, cancellationToken);
            await TimeAsync(http, "filtered page (label+device, offset 1000)", [$"/api/results?label=covid&device=bench-00&offset=1000&limit=50"], cancellationToken);
            await TimeAsync(http, $"CSV export of all {count}", ["/api/results.csv"], cancellationToken);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task TimeAsync(HttpClient http, string what, string[] paths, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        for (var round = 0; round < 7; round++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var path in paths)
            {
                using var response = await http.GetAsync(path, cancellationToken);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        // The first round warms up JIT and SQLite caches; the median of the seven is what a returning user sees.
        Console.WriteLine($"bench: {what}: min {times[0]:0.0} ms .. median {times[3]:0.0} ms .. max {times[^1]:0.0} ms");
    }

    private static async Task PublishAsync(int port, string device, int first, int count, CancellationToken cancellationToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(device)
            .WithProtocolVersion(MqttProtocolVersion.V500).Build(), cancellationToken);
        string[] labels = ["covid", "pneumonia", "normal"];
        // Up to 64 publishes in flight per agent, like an outbox draining a backlog.
        using var window = new SemaphoreSlim(64);
        var pending = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var n = first + i;
            var label = labels[n % 3];
            var result = new ResultMessage
            {
                ResultId = $"bench-{n:000000}",
                DeviceId = device,
                Site = "bench-site",
                Input = new InputIdentity { FileName = $"img-{n}.png", Sha256 = Convert.ToHexStringLower(BitConverter.GetBytes(n)).PadLeft(64, '0') },
                Model = new ModelIdentity { Name = "covid-cnn-rnn", Version = "1.0.0" },
                Label = label,
                Probabilities = labels.ToDictionary(l => l, l => l == label ? 0.8 : 0.1),
                AcquiredAt = DateTimeOffset.UtcNow.AddSeconds(-n),
                DiagnosedAt = DateTimeOffset.UtcNow,
            };
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Results(result.Site, device))
                .WithPayload(JsonSerializer.SerializeToUtf8Bytes(result, MessagingJsonContext.Default.ResultMessage))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            await window.WaitAsync(cancellationToken);
            pending.Add(PublishOneAsync(client, message, window, cancellationToken));
        }
        await Task.WhenAll(pending);
        await client.DisconnectAsync(cancellationToken: cancellationToken);
    }

    private static async Task PublishOneAsync(IMqttClient client, MqttApplicationMessage message, SemaphoreSlim window, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await client.PublishAsync(message, cancellationToken);
            if (!reply.IsSuccess)
            {
                throw new InvalidOperationException($"Publish to {message.Topic} refused: {reply.ReasonCode}.");
            }
        }
        finally
        {
            window.Release();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
