using EdgeAgent.Hosting;
using EdgeAgent.Inference.Tests;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Tests;

/// <summary>
/// The real agent host, in-process, over a temporary folder tree: inbox, data (ledger, results, processed, failed)
/// and a model package. Hosts can be stopped and started again on the same folders to test restarts.
/// </summary>
internal sealed class AgentHarness : IAsyncDisposable
{
    private AgentHarness(string root)
    {
        Root = root;
        Inbox = Directory.CreateDirectory(Path.Combine(root, "inbox")).FullName;
        Data = Path.Combine(root, "data");
        ModelPath = Path.Combine(root, "model");
        WriteModelPackage(ModelPath);
    }

    public string Root { get; }
    public string Inbox { get; }
    public string Data { get; }
    public string ModelPath { get; }
    public string Processed => Path.Combine(Data, "processed");
    public string Failed => Path.Combine(Data, "failed");
    public string Results => Path.Combine(Data, "results");
    public IHost? Host { get; private set; }
    public PipelineMonitor Monitor => Host!.Services.GetRequiredService<PipelineMonitor>();

    public Dictionary<string, string?> Settings { get; } = new();

    public static AgentHarness Create()
    {
        var root = Path.Combine(Path.GetTempPath(), "edge-agent-tests", Guid.NewGuid().ToString("N"));
        var harness = new AgentHarness(root);
        harness.Settings["Agent:DeviceId"] = "test-device";
        harness.Settings["Agent:Site"] = "test-site";
        harness.Settings["Agent:DataDirectory"] = harness.Data;
        harness.Settings["Input:WatchFolder"] = harness.Inbox;
        // The harness feeds 48-pixel noise PNGs, which the quality gate rightly refuses; gate behaviour has its own tests.
        harness.Settings["Safety:QualityGate"] = "false";
        harness.Settings["Input:SettleTime"] = "00:00:00.150";
        harness.Settings["Input:RescanInterval"] = "00:00:01";
        harness.Settings["Input:MaxInFlight"] = "4";
        harness.Settings["Model:Path"] = harness.ModelPath;
        harness.Settings["Inference:IntraOpThreads"] = "1";
        harness.Settings["Mqtt:Enabled"] = "false";
        return harness;
    }

    public HostApplicationBuilder Builder() => AgentHost.CreateBuilder(new AgentHostSettings { Overrides = Settings, ReadAppSettings = false });

    /// <summary>Starts a host; returns the start-up exit code and error text when start-up was refused.</summary>
    public async Task<(int? ExitCode, string Errors)> TryStartAsync(Action<IServiceCollection>? configure = null)
    {
        var builder = Builder();
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        var errors = new StringWriter();
        var code = await AgentRunner.StartAsync(host, errors, CancellationToken.None);
        if (code is null)
        {
            Host = host;
        }
        else
        {
            host.Dispose();
        }

        return (code, errors.ToString());
    }

    public async Task StartAsync(Action<IServiceCollection>? configure = null)
    {
        var (code, errors) = await TryStartAsync(configure);
        Assert.True(code is null, $"agent refused to start: {errors}");
        Assert.True(await Monitor.WaitUntilAsync(m => m.Started, TimeSpan.FromSeconds(30)), "pipeline did not start");
    }

    public async Task StopAsync()
    {
        if (Host is { } host)
        {
            await host.StopAsync();
            host.Dispose();
            Host = null;
        }
    }

    /// <summary>Waits until <paramref name="count"/> inputs have ended (any outcome but Deferred) and nothing is pending.</summary>
    public async Task WaitForOutcomesAsync(int count, TimeSpan? timeout = null)
    {
        var ok = await Monitor.WaitUntilAsync(
            m => m.Outcomes.Count(o => o.Kind != InputOutcomeKind.Deferred) >= count && m.Pending == 0,
            timeout ?? TimeSpan.FromSeconds(60));
        Assert.True(ok, $"expected {count} finished inputs; got {Monitor.Outcomes.Count} ({string.Join(", ", Monitor.Outcomes.Select(o => $"{o.FileName}:{o.Kind}"))}), pending {Monitor.Pending}");
    }

    public string[] ResultJsons() => Directory.Exists(Results) ? Directory.GetFiles(Results, "*.json") : [];

    public static void WriteModelPackage(string folder)
    {
        new Onnx.Packaging.ModelPackageWriter(TestModels.GapManifest())
            .WithModel(Onnx.Graph.OnnxModelFile.FromBytes(TestModels.GapModel()))
            .WriteFolder(folder);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
