using System.CommandLine;
using System.IO.Compression;
using System.Text.Json;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.ModelUpdates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Hub.Cli;

/// <summary>
/// <c>edge-hub model publish PKG --key PRIVATE.pem --site SITE</c>: signs an update manifest for the package,
/// publishes it retained on the site's announce topic and serves its chunks until stopped (Ctrl+C).
/// </summary>
internal static class ModelPublishCommand
{
    public static Command Create()
    {
        var package = new Argument<FileSystemInfo>("PKG") { Description = "Model package: a .zip, or a folder (zipped first)." };
        var key = new Option<FileInfo>("--key") { Description = "PEM private key from `edge-hub keys create`.", Required = true };
        var site = new Option<string>("--site") { Description = "Site (clinic) whose devices get the update.", Required = true };
        var devices = new Option<string?>("--devices") { Description = "Comma-separated device ids; default: every device of the site." };
        var channel = new Option<string>("--channel") { Description = "Release channel devices may pin.", DefaultValueFactory = _ => "stable" };
        var broker = new Option<string>("--broker") { Description = "Broker URL (mqtt:// or mqtts://).", DefaultValueFactory = _ => "mqtt://127.0.0.1:1883" };
        var chunkSize = new Option<int>("--chunk-size") { Description = "Chunk size in bytes (stay below the broker's message_size_limit).", DefaultValueFactory = _ => PackageChunker.DefaultChunkSize };
        var rollback = new Option<bool>("--rollback") { Description = "Allow devices to install this version even though it is lower than theirs." };
        var publish = new Command("publish", "Sign and announce a model package, then serve its chunks until stopped.")
        {
            package, key, site, devices, channel, broker, chunkSize, rollback,
        };
        publish.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var settings = new PublishSettings(
                    parse.GetValue(package)!, parse.GetValue(key)!.FullName, parse.GetValue(site)!,
                    parse.GetValue(devices)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    parse.GetValue(channel)!, parse.GetValue(broker)!, parse.GetValue(chunkSize), parse.GetValue(rollback));
                await RunAsync(settings, cancellationToken);
                return 0;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or LinkUnavailableException or OptionsValidationException)
            {
                Console.Error.WriteLine($"edge-hub model publish: {ex.Message}");
                return 1;
            }
        });
        return new Command("model", "Model updates for devices.") { publish, ModelTransferBenchCommand.Create() };
    }

    private sealed record PublishSettings(
        FileSystemInfo Package, string KeyPath, string Site, IReadOnlyList<string>? Devices, string Channel, string Broker, int ChunkSize, bool Rollback);

    private static async Task RunAsync(PublishSettings settings, CancellationToken cancellationToken)
    {
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        using var signingKey = UpdateSigner.LoadPrivateKey(settings.KeyPath);
        var zip = settings.Package is DirectoryInfo folder ? ZipFolder(folder) : settings.Package.FullName;
        var (name, version) = ReadIdentity(zip);
        var manifest = PackageChunker.Describe(zip, name, version, settings.ChunkSize, TimeProvider.System) with
        {
            Devices = settings.Devices,
            Rollback = settings.Rollback,
        };
        manifest.Channel = settings.Channel;
        var announcement = UpdateSigner.Serialize(UpdateSigner.Sign(manifest, signingKey));

        await using var link = new MqttLink(Options.Create(new MqttOptions
        {
            Url = settings.Broker,
            Site = settings.Site,
            DeviceId = "hub",
            ClientId = $"edge-hub-publisher-{settings.Site}",
        }), loggers.CreateLogger<MqttLink>(), TimeProvider.System);
        await using var server = new ChunkServer(link, settings.Site, loggers.CreateLogger<ChunkServer>());
        server.Offer(manifest, zip);
        await link.StartAsync(cancellationToken);
        await link.WaitUntilConnectedAsync(cancellationToken);
        await server.StartAsync(cancellationToken);
        await link.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.ModelAnnounce(settings.Site))
            .WithPayload(announcement)
            .WithContentType("application/json")
            .WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), cancellationToken);
        Console.WriteLine($"announced {name} {version} ({manifest.Size} bytes, {manifest.ChunkCount} chunks of {manifest.ChunkSize}, sha256 {manifest.Sha256}) " +
                          $"on {Topics.ModelAnnounce(settings.Site)} signed by key {UpdateSigner.KeyId(signingKey)}; serving chunks until Ctrl+C");
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
                Console.WriteLine($"served {server.ChunksServed} chunks to {server.BytesByDevice.Count} device(s)");
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the announcement stays retained; devices resume when a publisher serves again.
        }
    }

    private static string ZipFolder(DirectoryInfo folder)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("edge-hub-publish-").FullName, folder.Name + ".zip");
        ZipFile.CreateFromDirectory(folder.FullName, path, CompressionLevel.Optimal, includeBaseDirectory: false);
        return path;
    }

    /// <summary>Name and version from the package's manifest.json (the device validates the whole package itself).</summary>
    private static (string Name, string Version) ReadIdentity(string zipPath)
    {
        using var archive = ZipFile.OpenRead(zipPath);
        var entry = archive.GetEntry("manifest.json") ?? throw new InvalidDataException($"{zipPath}: no manifest.json at the package root");
        using var stream = entry.Open();
        using var json = JsonDocument.Parse(stream);
        string Read(string property) =>
            json.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new InvalidDataException($"{zipPath}: manifest.json has no string \"{property}\"");
        return (Read("name"), Read("version"));
    }
}
