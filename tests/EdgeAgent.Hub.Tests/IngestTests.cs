using System.Net;
using System.Text;
using EdgeAgent.Hub.Api;
using EdgeAgent.Hub.Tests.Support;
using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Hub.Tests;

public sealed class IngestTests
{
    [Fact]
    public async Task Results_from_two_agents_one_republishing_duplicates_are_stored_once_each()
    {
        await using var hub = await TestHub.StartAsync();
        await using var steady = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort);
        await using var repeating = new SimulatedAgent("clinic-b", "xr-2", hub.BrokerPort);
        await steady.ConnectAsync();
        await repeating.ConnectAsync();

        for (var n = 0; n < 40; n++)
        {
            await steady.PublishResultAsync(SimulatedAgent.Result("clinic-a", "xr-1", n));
            var first = SimulatedAgent.Result("clinic-b", "xr-2", n);
            await repeating.PublishResultAsync(first);
            // The second agent republishes every result at once (lost PUBACK) ...
            await repeating.PublishResultAsync(first);
        }
        // ... and later replays the whole range again (a resync), with a different diagnosedAt as a retry would have.
        for (var n = 0; n < 40; n++)
        {
            await repeating.PublishResultAsync(SimulatedAgent.Result("clinic-b", "xr-2", n) with { DiagnosedAt = DateTimeOffset.UnixEpoch });
        }

        await hub.WaitForReceivedResultsAsync(40 + 40 * 3);
        Assert.Equal(80, await hub.Runtime.Store.CountResultsAsync(CancellationToken.None));
        var stats = await hub.GetJsonAsync<HubStatsView>("/api/stats");
        Assert.Equal(160, stats.ResultsReceived);
        Assert.Equal(80, stats.ResultsStored);
        Assert.Equal(80, stats.DuplicatesIgnored);

        var page = await hub.GetJsonAsync<ResultPageView>("/api/results?limit=500");
        Assert.Equal(80, page.Total);
        var ids = page.Items.Select(r => r.ResultId).ToList();
        Assert.Equal(80, ids.Distinct().Count());
        Assert.Equal(40, ids.Count(id => id.StartsWith("xr-1-", StringComparison.Ordinal)));
        Assert.Equal(40, ids.Count(id => id.StartsWith("xr-2-", StringComparison.Ordinal)));
        // The first copy wins: the replay's epoch diagnosedAt never replaced it.
        Assert.All(page.Items, r => Assert.NotEqual(DateTimeOffset.UnixEpoch, r.DiagnosedAt));
    }

    [Fact]
    public async Task Overlay_is_stored_as_a_file_and_served_with_its_result()
    {
        await using var hub = await TestHub.StartAsync();
        await using var agent = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort);
        await agent.ConnectAsync();
        var png = TestPng.Gradient(32, 24);
        var result = SimulatedAgent.Result("clinic-a", "xr-1", 1, overlay: true);
        // Overlay before its result: the hub keeps it until the result arrives.
        await agent.PublishOverlayAsync(result.ResultId, png);
        await agent.PublishResultAsync(result);
        await hub.WaitForStoredResultsAsync(1);
        await TestHub.WaitUntilAsync(() => Task.FromResult(hub.Runtime.Statistics.OverlaysStored == 1), "overlay stored");

        var detail = await hub.GetJsonAsync<ResultDetailView>($"/api/results/{result.ResultId}");
        Assert.True(detail.OverlayAvailable);
        Assert.False(detail.OriginalAvailable);
        Assert.Equal(result.Input.StudyInstanceUid, detail.Result.Input.StudyInstanceUid);
        using var response = await hub.Http.GetAsync($"/api/results/{result.ResultId}/overlay");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(png, await response.Content.ReadAsByteArrayAsync());
        Assert.True(File.Exists(Path.Combine(hub.Folder.FullName, "overlays", result.ResultId + ".png")));
    }

    [Fact]
    public async Task Overlay_over_the_size_limit_is_refused_but_its_result_is_stored()
    {
        await using var hub = await TestHub.StartAsync(o => o.Storage.MaxOverlayBytes = 10_000);
        await using var agent = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort);
        await agent.ConnectAsync();
        var result = SimulatedAgent.Result("clinic-a", "xr-1", 2, overlay: true);
        await agent.PublishResultAsync(result);
        await agent.PublishOverlayAsync(result.ResultId, TestPng.LargerThan(20_000));
        await hub.WaitForStoredResultsAsync(1);
        await TestHub.WaitUntilAsync(() => Task.FromResult(hub.Runtime.Statistics.Refused == 1), "oversized overlay refused");

        using var response = await hub.Http.GetAsync($"/api/results/{result.ResultId}/overlay");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(hub.Logs.Lines, l => l.Contains("MaxOverlayBytes", StringComparison.Ordinal) && l.Contains(result.ResultId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Malformed_or_mismatched_results_are_refused_without_blocking_later_ones()
    {
        await using var hub = await TestHub.StartAsync();
        await using var agent = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort);
        await agent.ConnectAsync();
        await agent.PublishRawAsync(Topics.Results("clinic-a", "xr-1"), Encoding.UTF8.GetBytes("{\"resultId\": 12, not json"));
        // A device may only publish results for itself.
        await agent.PublishResultAsync(SimulatedAgent.Result("clinic-b", "xr-9", 1));
        await agent.PublishResultAsync(SimulatedAgent.Result("clinic-a", "xr-1", 1) with { ResultId = "../../etc/passwd" });
        await agent.PublishResultAsync(SimulatedAgent.Result("clinic-a", "xr-1", 3));
        await hub.WaitForStoredResultsAsync(1);
        await TestHub.WaitUntilAsync(() => Task.FromResult(hub.Runtime.Statistics.Refused == 3), "three refusals");

        var page = await hub.GetJsonAsync<ResultPageView>("/api/results");
        Assert.Equal("xr-1-r0003", Assert.Single(page.Items).ResultId);
        // The refusal names the topic and the reason but never echoes the payload (patient data).
        Assert.Contains(hub.Logs.Lines, l => l.Contains("edgeagent/v1/clinic-a/xr-1/results", StringComparison.Ordinal) && l.Contains("invalid", StringComparison.Ordinal));
        Assert.DoesNotContain(hub.Logs.Lines, l => l.Contains("not json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Results_survive_a_hub_restart_and_the_database_is_reused()
    {
        var folder = Directory.CreateTempSubdirectory("edge-hub-test-");
        var hub = await TestHub.StartAsync(folder: folder);
        await using (var agent = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort))
        {
            await agent.ConnectAsync();
            await agent.PublishResultAsync(SimulatedAgent.Result("clinic-a", "xr-1", 1));
            await hub.WaitForStoredResultsAsync(1);
        }
        await hub.Runtime.DisposeAsync();
        hub.Http.Dispose();

        await using var again = await TestHub.StartAsync(folder: folder);
        var page = await again.GetJsonAsync<ResultPageView>("/api/results");
        Assert.Equal("xr-1-r0001", Assert.Single(page.Items).ResultId);
        var devices = await again.GetJsonAsync<List<DeviceView>>("/api/devices");
        Assert.Equal("xr-1", Assert.Single(devices).DeviceId);
    }
}
