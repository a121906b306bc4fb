using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using EdgeAgent.Hub.Configuration;
using EdgeAgent.Hub.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hub.Tests.Support;

/// <summary>A real hub started in-process: embedded MQTTnet broker on a free loopback port, SQLite and overlays in a temp folder.</summary>
internal sealed class TestHub : IAsyncDisposable
{
    public const string Token = "test-token-0123456789abcdef";

    private TestHub(HubRuntime runtime, DirectoryInfo folder, CapturedLogs logs)
    {
        Runtime = runtime;
        Folder = folder;
        Logs = logs;
        Http = new HttpClient { BaseAddress = runtime.Address, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", runtime.Token.Value);
    }

    public HubRuntime Runtime { get; }
    public DirectoryInfo Folder { get; }
    public CapturedLogs Logs { get; }
    public HttpClient Http { get; }
    public int BrokerPort => Runtime.BrokerPort!.Value;

    public static async Task<TestHub> StartAsync(Action<HubOptions>? configure = null, DirectoryInfo? folder = null)
    {
        folder ??= Directory.CreateTempSubdirectory("edge-hub-test-");
        var options = new HubOptions
        {
            Broker = { Port = FreePort(), ClientId = "edge-hub-test-" + Guid.NewGuid().ToString("N")[..8] },
            Http = { Url = "http://127.0.0.1:0", Token = Token },
            Storage = { DataDirectory = folder.FullName },
        };
        configure?.Invoke(options);
        var logs = new CapturedLogs();
        var runtime = await HubRuntime.StartAsync(options, CancellationToken.None,
            configureLogging: b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await runtime.WaitUntilSubscribedAsync(timeout.Token);
        return new TestHub(runtime, folder, logs);
    }

    public async Task<T> GetJsonAsync<T>(string path)
    {
        var value = await Http.GetFromJsonAsync<T>(path, JsonSerializerOptions.Web);
        return value ?? throw new InvalidOperationException($"GET {path} returned null.");
    }

    /// <summary>Polls until the condition holds; ingest is asynchronous (MQTT, then a batch commit), so tests wait for its effect.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what}.");
            }
            await Task.Delay(25);
        }
    }

    public Task WaitForStoredResultsAsync(long count) =>
        WaitUntilAsync(async () => await Runtime.Store.CountResultsAsync(CancellationToken.None) >= count, $"{count} stored results");

    public Task WaitForReceivedResultsAsync(long count) =>
        WaitUntilAsync(() => Task.FromResult(Runtime.Statistics.ResultsReceived >= count), $"{count} received results");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Runtime.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a pooled reader is left to the OS temp cleaner.
        }
    }
}
