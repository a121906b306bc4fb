using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Inference;
using EdgeAgent.Inference.Safety;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Models;
using EdgeAgent.Models.Updates;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Tests.ModelUpdates;

/// <summary>The whole agent (host, pipeline, MQTT link, update service) against a real mosquitto and a hub-side publisher.</summary>
public sealed class ModelUpdateTests(Xunit.Abstractions.ITestOutputHelper output)
{
    internal const string Site = "test-site";
    internal const string Device = "test-device";

    /// <summary>An agent's folders and settings for updates over <paramref name="broker"/> (started in-process or as a child).</summary>
    internal static AgentHarness Agent(MosquittoBroker broker, string publicKey, string? dataDirectory = null)
    {
        var agent = AgentHarness.Create();
        if (dataDirectory is not null)
        {
            // One device across restarts: the same data folder (outbox, ledger, models/state.json).
            agent.Settings["Agent:DataDirectory"] = dataDirectory;
        }
        agent.Settings["Mqtt:Enabled"] = "true";
        agent.Settings["Mqtt:Url"] = broker.PlainUrl;
        agent.Settings["Mqtt:ReconnectMinDelay"] = "00:00:00.100";
        agent.Settings["Mqtt:ReconnectMaxDelay"] = "00:00:01";
        agent.Settings["ModelUpdates:Enabled"] = "true";
        agent.Settings["ModelUpdates:TrustedKeys:0"] = publicKey;
        agent.Settings["ModelUpdates:MaxPackageBytes"] = "200000";
        agent.Settings["ModelUpdates:HealthWindow"] = "5";
        return agent;
    }

    private static ModelHolder Holder(AgentHarness agent) => agent.Host!.Services.GetRequiredService<ModelHolder>();

    internal static string ActiveVersionInStateFile(string dataDirectory)
    {
        using var state = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dataDirectory, "models", UpdateStateFile.FileName)));
        return state.RootElement.GetProperty("active").GetProperty("version").GetString()!;
    }

    /// <summary>Watched inferences recorded in state.json for the model on probation; null when none is.</summary>
    internal static int? ProbationInStateFile(string dataDirectory)
    {
        using var state = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dataDirectory, "models", UpdateStateFile.FileName)));
        return state.RootElement.TryGetProperty("probation", out var probation) && probation.ValueKind == JsonValueKind.Object
            ? probation.GetProperty("inferences").GetInt32()
            : null;
    }

    private static async Task DiagnoseAsync(AgentHarness agent, int total, params int[] seeds)
    {
        foreach (var seed in seeds)
        {
            await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, $"img-{seed}.png"), TestImages.Noise(seed));
        }
        await agent.WaitForOutcomesAsync(total);
    }

    /// <summary>
    /// The overlay the agent must have drawn for <paramref name="image"/> with the installed package, its legend naming
    /// <paramref name="legendVersion"/>. The old and new packages hold the same graph, so only the legend can differ.
    /// Bit-equal to the agent's: same graph, same CPU provider with one intra-op thread (Inference:IntraOpThreads = 1
    /// in the harness), so ONNX Runtime accumulates in the same order; the PNG encoder is deterministic.
    /// </summary>
    private static byte[] OverlayFor(byte[] image, string dataDirectory, string legendVersion)
    {
        using var state = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dataDirectory, "models", UpdateStateFile.FileName)));
        var folder = state.RootElement.GetProperty("active").GetProperty("path").GetString()!;
        var loader = new ModelLoader(new InferenceSessionFactory(new InferenceOptions { IntraOpThreads = 1 }, NullLoggerFactory.Instance), NullLogger<ModelLoader>.Instance);
        using var model = loader.Load(folder, warmUp: false);
        var prepared = new ImagingPreparer().Prepare(image, "after.png", model.Manifest.Input);
        var diagnosis = model.Classifier.Classify(prepared.Tensor);
        var banner = SafetyAssessment.Banner(OodAssessor.Assess(diagnosis.Logits, model.Manifest.Safety).Status);
        return prepared.RenderOverlay!(model.Manifest with { Version = legendVersion }, diagnosis, diagnosis.Label, banner)!;
    }

    [Fact]
    public async Task A_signed_higher_version_is_taken_and_used_and_bad_offers_are_refused_while_it_keeps_serving()
    {
        using var broker = await MosquittoBroker.StartAsync();
        using var files = new TempDirectory("edgeagent-update-");
        await using var hub = await UpdateHub.StartAsync(broker.PlainUrl, Site, Device);
        await using var agent = Agent(broker, hub.WritePublicKey(files.File("trusted.pem")));
        await agent.StartAsync();
        Assert.Equal("0.0.1", Holder(agent).Current.Manifest.Version);

        var zip = UpdatePackages.Build(files.Path, "0.2.0");
        var announced = System.Diagnostics.Stopwatch.StartNew();
        await hub.AnnounceAsync(zip, "0.2.0");
        await hub.WaitForStateAsync("active");
        // Printed, not asserted: the time from the retained announcement to "active" (verify, download, install, self-test, swap).
        output.WriteLine($"announce -> active: {announced.Elapsed.TotalMilliseconds:0} ms for a {new FileInfo(zip).Length} byte package");
        Assert.Contains(hub.States, s => s.StartsWith("downloading", StringComparison.Ordinal));
        Assert.Contains("verified", hub.States);
        Assert.Equal("0.2.0", Holder(agent).Current.Manifest.Version);
        Assert.Equal("0.2.0", ActiveVersionInStateFile(agent.Data));

        // The new model diagnoses the next image, and the result says so.
        // 160 px: in a 48 px image the legend's third line (model name and version) falls below the bottom edge.
        var afterImage = TestImages.Noise(11, size: 160);
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "after.png"), afterImage);
        await agent.WaitForOutcomesAsync(1);
        var resultJson = agent.ResultJsons().Single();
        using (var result = JsonDocument.Parse(await File.ReadAllBytesAsync(resultJson)))
        {
            Assert.Equal("0.2.0", result.RootElement.GetProperty("model").GetProperty("version").GetString());
        }
        // ...and so does its overlay legend (it used to keep the start-up model's version).
        var overlay = await File.ReadAllBytesAsync(Path.ChangeExtension(resultJson, ".png"));
        Assert.Equal(OverlayFor(afterImage, agent.Data, "0.2.0"), overlay);
        Assert.NotEqual(OverlayFor(afterImage, agent.Data, "0.0.1"), overlay);

        hub.ClearStates();
        await hub.AnnounceAsync(UpdatePackages.Build(files.Path, "0.1.0"), "0.1.0");
        Assert.Equal("rejected: downgrade: 0.1.0 is not higher than active 0.2.0", await hub.WaitForStateAsync("rejected"));

        hub.ClearStates();
        var big = UpdatePackages.Build(files.Path, "0.3.0", paddingBytes: 300_000);
        await hub.AnnounceAsync(big, "0.3.0");
        Assert.Equal($"rejected: package of {new FileInfo(big).Length} bytes over the size limit of 200000", await hub.WaitForStateAsync("rejected"));

        hub.ClearStates();
        await hub.AnnounceAsync(UpdatePackages.Build(files.Path, "0.4.0", wrongGoldenLabel: true), "0.4.0");
        Assert.StartsWith("rejected: self-test: golden/g0.png is ", await hub.WaitForStateAsync("rejected"), StringComparison.Ordinal);

        hub.ClearStates();
        using (var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await hub.AnnounceAsync(UpdatePackages.Build(files.Path, "0.5.0"), "0.5.0", signer: stranger);
        }
        Assert.Equal("rejected: unknown key", await hub.WaitForStateAsync("rejected"));

        // Through all of it the verified 0.2.0 kept serving.
        Assert.Equal("0.2.0", Holder(agent).Current.Manifest.Version);
        Assert.Equal("0.2.0", ActiveVersionInStateFile(agent.Data));
    }

    [Fact]
    public async Task A_model_giving_NaN_after_the_swap_is_rolled_back_and_restarts_keep_the_verified_model()
    {
        using var broker = await MosquittoBroker.StartAsync();
        using var files = new TempDirectory("edgeagent-update-");
        await using var hub = await UpdateHub.StartAsync(broker.PlainUrl, Site, Device);
        var publicKey = hub.WritePublicKey(files.File("trusted.pem"));
        var data = files.Directory("device-data");
        await using (var agent = Agent(broker, publicKey, data))
        {
            await agent.StartAsync();
            await hub.AnnounceAsync(UpdatePackages.Build(files.Path, "0.2.0"), "0.2.0");
            await hub.WaitForStateAsync("active");
            var holder = Holder(agent);
            Assert.True(holder.OnProbation);

            // An input at the float32 limit overflows the new model's convolution: its outputs are no longer finite,
            // exactly what the health watch must catch on a real inference.
            using (var lease = holder.Acquire())
            {
                var diagnosis = lease.Model.Classifier.Classify(Enumerable.Repeat(float.MaxValue, lease.Model.Classifier.TensorLength).ToArray());
                Assert.Contains(diagnosis.Logits, l => !float.IsFinite(l));
                holder.Observe(lease, diagnosis, null);
            }
            Assert.Equal("rolled back: NaN outputs", await hub.WaitForStateAsync("rolled back"));
            Assert.Equal("0.0.1", holder.Current.Manifest.Version);
            Assert.Equal("0.0.1", ActiveVersionInStateFile(data));
        }

        // A restart serves the model it rolled back to, and does not take the refused (still retained) 0.2.0 again.
        hub.ClearStates();
        await using (var agent = Agent(broker, publicKey, data))
        {
            await agent.StartAsync();
            Assert.Equal("0.0.1", Holder(agent).Current.Manifest.Version);
            // The retained 0.2.0 announcement reaches the restarted agent at once; had it not been remembered as
            // refused, a "downloading" status would follow within milliseconds (a few KB on loopback). 1 s is ample.
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Empty(hub.States);
            await hub.AnnounceAsync(UpdatePackages.Build(files.Path, "0.3.0"), "0.3.0");
            await hub.WaitForStateAsync("active");
            Assert.Equal("0.3.0", ActiveVersionInStateFile(data));
        }

        // After the next restart the agent starts directly on the updated package named in state.json.
        await using (var agent = Agent(broker, publicKey, data))
        {
            await agent.StartAsync();
            Assert.Equal("0.3.0", Holder(agent).Current.Manifest.Version);
        }
    }

    [Fact]
    public async Task A_restart_during_the_health_watch_continues_it_and_still_rolls_back_a_collapsed_model()
    {
        using var broker = await MosquittoBroker.StartAsync();
        using var files = new TempDirectory("edgeagent-update-");
        await using var hub = await UpdateHub.StartAsync(broker.PlainUrl, Site, Device);
        var publicKey = hub.WritePublicKey(files.File("trusted.pem"));
        var data = files.Directory("device-data");
        await using (var agent = Agent(broker, publicKey, data))
        {
            await agent.StartAsync();
            // Passes its golden self-test (the expectation was made with this very model) but answers every image alike.
            await hub.AnnounceAsync(UpdatePackages.Build(files.Path, "0.2.0", collapsed: true), "0.2.0");
            await hub.WaitForStateAsync("active");
            Assert.Equal(0, ProbationInStateFile(data));
            await DiagnoseAsync(agent, 2, 21, 22);
            // Each watched inference is in state.json before its result is counted as finished.
            Assert.Equal(2, ProbationInStateFile(data));
        }

        // The agent goes down two inferences into a five-inference watch. Restarted, it serves 0.2.0 on probation
        // with the rollback target loaded, says so on model/status, and counts on from 2 (not from 0).
        hub.ClearStates();
        await using (var agent = Agent(broker, publicKey, data))
        {
            await agent.StartAsync();
            var holder = Holder(agent);
            Assert.Equal("0.2.0", holder.Current.Manifest.Version);
            Assert.Equal("0.0.1", holder.Previous?.Manifest.Version);
            Assert.Equal(2, holder.Probation?.Inferences);
            Assert.Equal("active: health watch resumed after a restart at 2 of 5 inferences", await hub.WaitForStateAsync("active"));

            await DiagnoseAsync(agent, 2, 23, 24);
            Assert.Equal(4, ProbationInStateFile(data));
            Assert.True(holder.OnProbation);
            // The fifth watched inference overall ends the window: five distinct images, five identical outputs.
            await DiagnoseAsync(agent, 3, 25);
            Assert.Equal("rolled back: identical outputs for 5 inputs", await hub.WaitForStateAsync("rolled back"));
            Assert.Equal("0.0.1", holder.Current.Manifest.Version);
            Assert.Equal("0.0.1", ActiveVersionInStateFile(data));
            Assert.Null(ProbationInStateFile(data));
        }
    }

    [Fact]
    public async Task An_updated_model_the_agent_dies_under_twice_during_its_health_watch_is_rolled_back_at_start_up()
    {
        using var broker = await MosquittoBroker.StartAsync();
        using var files = new TempDirectory("edgeagent-update-");
        await using var hub = await UpdateHub.StartAsync(broker.PlainUrl, Site, Device);
        var publicKey = hub.WritePublicKey(files.File("trusted.pem"));
        var data = files.Directory("device-data");
        await using (var agent = Agent(broker, publicKey, data))
        {
            await agent.StartAsync();
            await hub.AnnounceAsync(UpdatePackages.Build(files.Path, "0.2.0"), "0.2.0");
            await hub.WaitForStateAsync("active");
            // An item takes the new model and never ends: the process dies under it (the lease is never released,
            // exactly what a crash inside the model's session leaves behind).
            _ = Holder(agent).Acquire();
        }

        // First death: could be a power cut; the watch goes on, counting it.
        var restarted = DateTimeOffset.UtcNow;
        await using (var agent = Agent(broker, publicKey, data))
        {
            await agent.StartAsync();
            var holder = Holder(agent);
            Assert.Equal("0.2.0", holder.Current.Manifest.Version);
            Assert.Equal(1, holder.Probation?.Interrupted);
            Assert.Equal(0, holder.Probation?.InFlight);
            Assert.Equal("active: health watch resumed after a restart at 0 of 5 inferences", await hub.WaitForStateAsync("active", since: restarted));
            _ = holder.Acquire();
        }

        // Second death within the watch: the start-up itself goes back to the verified model and says why.
        restarted = DateTimeOffset.UtcNow;
        await using (var agent = Agent(broker, publicKey, data))
        {
            await agent.StartAsync();
            Assert.Equal("0.0.1", Holder(agent).Current.Manifest.Version);
            Assert.False(Holder(agent).OnProbation);
            Assert.Equal(
                "rolled back: the agent stopped 2 times while it was working (crash or power cut)",
                await hub.WaitForStateAsync("rolled back", since: restarted));
            Assert.Equal("0.0.1", ActiveVersionInStateFile(data));
            Assert.Null(ProbationInStateFile(data));
        }
    }
}
