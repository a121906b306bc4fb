using System.CommandLine;
using System.Diagnostics;
using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.ModelUpdates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Hub.Cli;

/// <summary>
/// <c>edge-hub model bench-transfer --size-mb 100 --broker URL</c>: a synthetic package through the real chunk
/// protocol (server and downloaders on their own links, through the given broker), timed end to end: every chunk
/// requested, verified, written durably, the file assembled and its sha256 checked.
/// </summary>
internal static class ModelTransferBenchCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--size-mb") { Description = "Package size in MiB (random bytes).", DefaultValueFactory = _ => 100 };
        var broker = new Option<string>("--broker") { Description = "Broker URL.", DefaultValueFactory = _ => "mqtt://127.0.0.1:1883" };
        var chunk = new Option<int>("--chunk-size") { Description = "Chunk size in bytes.", DefaultValueFactory = _ => PackageChunker.DefaultChunkSize };
        var window = new Option<int>("--window") { Description = "Chunk requests outstanding per device.", DefaultValueFactory = _ => 4 };
        var devices = new Option<int>("--devices") { Description = "Devices downloading at once.", DefaultValueFactory = _ => 1 };
        var command = new Command("bench-transfer", "Measure the chunk transfer rate through a broker.") { size, broker, chunk, window, devices };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await RunAsync(parse.GetValue(size), parse.GetValue(broker)!, parse.GetValue(chunk), parse.GetValue(window), parse.GetValue(devices), cancellationToken);
            return 0;
        });
        return command;
    }

    private static async Task RunAsync(int sizeMb, string broker, int chunkSize, int window, int deviceCount, CancellationToken cancellationToken)
    {
        const string site = "bench";
        var folder = Directory.CreateTempSubdirectory("edge-hub-transfer-bench-");
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        try
        {
            var package = Path.Combine(folder.FullName, "package.bin");
            await using (var file = File.Create(package))
            {
                var block = new byte[1024 * 1024];
                for (var i = 0; i < sizeMb; i++)
                {
                    Random.Shared.NextBytes(block);
                    await file.WriteAsync(block, cancellationToken);
                }
            }
            var describe = Stopwatch.StartNew();
            var manifest = PackageChunker.Describe(package, "bench", "1.0.0", chunkSize, TimeProvider.System);
            Console.WriteLine($"bench-transfer: {sizeMb} MiB, {manifest.ChunkCount} chunks of {chunkSize} B, hashed in {describe.Elapsed.TotalSeconds:0.00} s");

            await using var hub = Link(broker, "bench-hub", loggers);
            await using var server = new ChunkServer(hub, site, loggers.CreateLogger<ChunkServer>());
            server.Offer(manifest, package);
            await hub.StartAsync(cancellationToken);
            await hub.WaitUntilConnectedAsync(cancellationToken);
            await server.StartAsync(cancellationToken);

            var links = new List<MqttLink>();
            for (var d = 0; d < deviceCount; d++)
            {
                var link = Link(broker, $"bench-dev-{d}", loggers);
                await link.StartAsync(cancellationToken);
                await link.WaitUntilConnectedAsync(cancellationToken);
                links.Add(link);
            }
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(links.Select(async (link, d) =>
            {
                using var downloader = new ChunkDownloader(link, site, $"bench-dev-{d}", new ChunkDownloadOptions { Window = window }, TimeProvider.System);
                var store = new ChunkStore(Path.Combine(folder.FullName, $"dev-{d}"), manifest);
                await downloader.DownloadAsync(manifest, store, null, cancellationToken);
            }));
            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"bench-transfer: {deviceCount} device(s) x {sizeMb} MiB in {seconds:0.00} s = {deviceCount * sizeMb / seconds:0.0} MiB/s total " +
                              $"({sizeMb / seconds:0.0} MiB/s per device), window {window}, chunks verified, stored with fsync and reassembled");
            foreach (var link in links)
            {
                await link.DisposeAsync();
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static MqttLink Link(string broker, string clientId, ILoggerFactory loggers) =>
        new(Options.Create(new MqttOptions { Url = broker, Site = "bench", DeviceId = clientId, ClientId = clientId, SessionExpiry = TimeSpan.Zero }),
            loggers.CreateLogger<MqttLink>(), TimeProvider.System);
}
