using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeAgent.Messaging.ModelUpdates;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Models.Updates;
using EdgeAgent.Tests.Support;
using static EdgeAgent.Tests.ModelUpdates.ModelUpdateTests;

namespace EdgeAgent.Tests.ModelUpdates;

/// <summary>
/// The real <c>edge-agent run</c> as a child process, SIGKILLed mid-download, at two points of the swap and during
/// the health watch, then started again on the same folders against a real mosquitto: after each restart it serves a
/// verified model, finishes what was interrupted (from the chunks already on disk) and says so on model/status.
/// </summary>
[Collection(AgentProcessCollection.Name)]
public sealed class ModelUpdateKillTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 180_000)]
    public async Task Killed_mid_download_the_agent_resumes_from_the_verified_chunks_on_disk_and_activates()
    {
        using var broker = await MosquittoBroker.StartAsync();
        using var files = new TempDirectory("edgeagent-kill-");
        await using var hub = await UpdateHub.StartAsync(broker.PlainUrl, Site, Device);
        await using var folders = Agent(broker, hub.WritePublicKey(files.File("trusted.pem")));
        // ~32 chunks of 4 KiB (random padding does not compress) at 32 KiB/s: about 4 s of transfer, a chunk every
        // ~125 ms against the helper's 5 ms poll, so the kill after a third of the chunks lands mid-download.
        folders.Settings["ModelUpdates:MaxBytesPerSecond"] = "32768";
        var zip = UpdatePackages.Build(files.Path, "0.2.0", paddingBytes: 120_000);
        using var agent = AgentProcess.Run(folders.Settings);
        await agent.WaitForReadyAsync(Timeout);
        var manifest = await hub.AnnounceAsync(zip, "0.2.0");
        var store = Path.Combine(folders.Data, "models", "downloads", manifest.Sha256);
        await agent.KillWhenAsync(() => ChunksOnDisk(store).Count >= manifest.ChunkCount / 3, Timeout, "a third of the chunks on disk");
        var kept = ChunksOnDisk(store);
        Assert.InRange(kept.Count, manifest.ChunkCount / 3, manifest.ChunkCount - 1);
        Assert.False(File.Exists(Path.Combine(store, ChunkStore.PackageFileName)));
        var keptPercent = kept.Sum(i => (long)manifest.ChunkLength(i)) * 100 / manifest.Size;

        hub.ClearRequests();
        var restartedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        agent.Restart();
        var firstProgress = await hub.WaitForStateAsync("downloading", Timeout, restartedAt);
        var resumed = clock.Elapsed;
        await hub.WaitForStateAsync("active", Timeout, restartedAt);
        var active = clock.Elapsed;
        output.WriteLine(
            $"killed with {kept.Count}/{manifest.ChunkCount} chunks on disk; restart -> first progress ({firstProgress}): {resumed.TotalMilliseconds:0} ms, " +
            $"restart -> active: {active.TotalMilliseconds:0} ms (capped at 32 KiB/s; {manifest.Size} byte package)");

        // The restarted agent re-verified the kept chunks and reported them before asking for anything...
        Assert.Equal($"downloading {keptPercent}%", firstProgress);
        // ...and asked only for the missing ones (a re-request after a timeout repeats a missing chunk, never a kept one).
        Assert.Equal(Enumerable.Range(0, manifest.ChunkCount).Except(kept).Order(), hub.RequestedChunks.Distinct().Order());
        Assert.Equal("0.2.0", ActiveVersionInStateFile(folders.Data));
        Assert.Equal("0.2.0", await DiagnosedVersionAsync(folders, agent, 31));
        await agent.WaitUntilAsync(() => !Directory.Exists(store), Timeout, "the finished download's chunk folder removed");
    }

    [Fact(Timeout = 240_000)]
    public async Task Killed_during_the_swap_or_the_health_watch_the_agent_comes_back_on_a_verified_model_and_reports_it()
    {
        using var broker = await MosquittoBroker.StartAsync();
        using var files = new TempDirectory("edgeagent-kill-");
        await using var hub = await UpdateHub.StartAsync(broker.PlainUrl, Site, Device);
        await using var folders = Agent(broker, hub.WritePublicKey(files.File("trusted.pem")));
        var data = folders.Data;

        // 1. Killed after the new package is unpacked, loaded and self-tested ("verified"), before state.json changes.
        var sinceAnnounce = DateTimeOffset.UtcNow;
        var first = await RunUntilPausedAsync(folders, CrashInjection.Verified, async () =>
        {
            await hub.AnnounceAsync(UpdatePackages.Build(files.Path, "0.2.0"), "0.2.0");
            await hub.WaitForStateAsync("verified", Timeout, sinceAnnounce);
        });
        Assert.False(File.Exists(Path.Combine(data, "models", UpdateStateFile.FileName)));
        Assert.Single(Directory.GetDirectories(Path.Combine(data, "models", "packages"), "0.2.0-*"));
        using (var agent = await RestartAsync(folders, hub, first))
        {
            // It comes back on the old model (state.json never named the new one), then takes the retained
            // announcement again from the assembled package it had verified: no chunk is fetched twice.
            Assert.Contains("test-gap-untrained 0.0.1", StartupModelLine(agent));
            await hub.WaitForStateAsync("active", Timeout, agent.StartedAt);
            Assert.Equal(["downloading 100%", "verified", "active"], hub.StatesSince(agent.StartedAt));
            Assert.Empty(hub.RequestedChunks);
            Assert.Equal("0.2.0", ActiveVersionInStateFile(data));
            Assert.Equal("0.2.0", await DiagnosedVersionAsync(folders, agent.Process, 41));
            await agent.Process.StopAsync(Timeout);
        }

        // 2. Killed after state.json names the new package, before the in-memory swap and before "active" is published.
        sinceAnnounce = DateTimeOffset.UtcNow;
        var second = await RunUntilPausedAsync(folders, CrashInjection.StateWritten, async () =>
        {
            await hub.AnnounceAsync(UpdatePackages.Build(files.Path, "0.3.0"), "0.3.0");
            await hub.WaitForStateAsync("verified", Timeout, sinceAnnounce);
        });
        Assert.Equal("0.3.0", ActiveVersionInStateFile(data));
        Assert.Equal(0, ProbationInStateFile(data));
        Assert.Equal("verified", hub.StatesSince(sinceAnnounce)[^1]);
        using (var agent = await RestartAsync(folders, hub, second))
        {
            // It comes back on the new package, on probation, and says so; the retained announcement is not taken again.
            Assert.Contains("test-gap-untrained 0.3.0", StartupModelLine(agent));
            Assert.Equal(
                "active: health watch resumed after a restart at 0 of 5 inferences",
                await hub.WaitForStateAsync("active", Timeout, agent.StartedAt));
            Assert.Equal("0.3.0", await DiagnosedVersionAsync(folders, agent.Process, 42));
            Assert.Empty(hub.RequestedChunks);
            Assert.Equal(["active: health watch resumed after a restart at 0 of 5 inferences"], hub.StatesSince(agent.StartedAt));

            // 3. Killed during the health watch of a collapsed model (same answer for every image), two images in:
            // polled from state.json, no hook needed.
            var since = DateTimeOffset.UtcNow;
            await hub.AnnounceAsync(UpdatePackages.Build(files.Path, "0.4.0", collapsed: true), "0.4.0");
            await hub.WaitForStateAsync("active", Timeout, since);
            await DiagnoseInChildAsync(folders, agent.Process, 51, 52);
            await agent.Process.KillWhenAsync(() => ProbationInStateFile(data) == 2, Timeout, "two watched inferences in state.json");
        }
        using (var agent = await RestartAsync(folders, hub, null))
        {
            Assert.Contains("test-gap-untrained 0.4.0", StartupModelLine(agent));
            Assert.Equal(
                "active: health watch resumed after a restart at 2 of 5 inferences",
                await hub.WaitForStateAsync("active", Timeout, agent.StartedAt));
            // Three more images complete the five-image window across the kill: rolled back to the verified 0.3.0.
            await DiagnoseInChildAsync(folders, agent.Process, 53, 54, 55);
            Assert.Equal("rolled back: identical outputs for 5 inputs", await hub.WaitForStateAsync("rolled back", Timeout, agent.StartedAt));
            Assert.Equal("0.3.0", ActiveVersionInStateFile(data));
            Assert.Null(ProbationInStateFile(data));
            Assert.Equal("0.3.0", await DiagnosedVersionAsync(folders, agent.Process, 43));
            await agent.Process.StopAsync(Timeout);
        }
    }

    /// <summary>A restarted agent: its process and the moment it was started (for statuses it stamps after that).</summary>
    private sealed class Restarted(AgentProcess process, DateTimeOffset startedAt) : IDisposable
    {
        public AgentProcess Process { get; } = process;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public void Dispose() => Process.Dispose();
    }

    /// <summary>
    /// Starts the agent with the crash-injection hook at <paramref name="step"/>, runs <paramref name="act"/>, waits
    /// until the agent logs that it is paused there and SIGKILLs it. Returns the killed process (for its output).
    /// </summary>
    private static async Task<AgentProcess> RunUntilPausedAsync(AgentHarness folders, string step, Func<Task> act)
    {
        var agent = AgentProcess.Run(folders.Settings, new Dictionary<string, string?> { [CrashInjection.Variable] = step });
        await agent.WaitForReadyAsync(Timeout);
        await act();
        await agent.WaitForLineAsync($"paused at {step}", Timeout);
        agent.Kill();
        Assert.Equal(137, agent.Current.ExitCode);
        return agent;
    }

    /// <summary>The restart after a kill: the same folders and settings, without the hook.</summary>
    private static async Task<Restarted> RestartAsync(AgentHarness folders, UpdateHub hub, AgentProcess? killed)
    {
        killed?.Dispose();
        hub.ClearRequests();
        var startedAt = DateTimeOffset.UtcNow;
        var agent = AgentProcess.Run(folders.Settings);
        await agent.WaitForReadyAsync(Timeout);
        return new Restarted(agent, startedAt);
    }

    /// <summary>The first model the start-up loaded (ModelLoader logs "Model {name version} loaded from ...").</summary>
    private static string StartupModelLine(Restarted agent) =>
        agent.Process.Current.Lines.First(l => l.Contains(" loaded from ", StringComparison.Ordinal));

    private static List<int> ChunksOnDisk(string store) =>
        Directory.Exists(store)
            ? [.. Directory.GetFiles(store, "chunk-*.bin").Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)["chunk-".Length..], CultureInfo.InvariantCulture))]
            : [];

    private static async Task DiagnoseInChildAsync(AgentHarness folders, AgentProcess agent, params int[] seeds)
    {
        foreach (var seed in seeds)
        {
            await DiagnosedVersionAsync(folders, agent, seed);
        }
    }

    /// <summary>Drops a new image into the inbox and returns the model version its result names.</summary>
    private static async Task<string> DiagnosedVersionAsync(AgentHarness folders, AgentProcess agent, int seed)
    {
        var name = $"probe-{seed}.png";
        await File.WriteAllBytesAsync(Path.Combine(folders.Inbox, name), TestImages.Noise(seed));
        string? version = null;
        await agent.WaitUntilAsync(() => (version = ResultVersion(folders, name)) is not null, Timeout, $"a result for {name}");
        return version!;
    }

    private static string? ResultVersion(AgentHarness folders, string fileName)
    {
        foreach (var json in folders.ResultJsons())
        {
            using var result = JsonDocument.Parse(File.ReadAllBytes(json));
            if (result.RootElement.GetProperty("input").GetProperty("fileName").GetString() == fileName)
            {
                return result.RootElement.GetProperty("model").GetProperty("version").GetString();
            }
        }
        return null;
    }
}
