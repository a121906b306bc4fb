using System.Net;
using EdgeAgent.Hub.Api;
using EdgeAgent.Hub.Tests.Support;

namespace EdgeAgent.Hub.Tests;

public sealed class RetentionTests
{
    [Fact]
    public async Task Sweep_deletes_results_older_than_the_limit_with_their_overlays_and_never_younger_ones()
    {
        await using var hub = await TestHub.StartAsync(o => o.Retention.MaxAgeDays = 30);
        await using var agent = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort);
        await agent.ConnectAsync();
        var now = DateTimeOffset.UtcNow;
        var old = SimulatedAgent.Result("clinic-a", "xr-1", 1, now.AddDays(-45), overlay: true);
        var justOver = SimulatedAgent.Result("clinic-a", "xr-1", 2, now.AddDays(-30).AddMinutes(-10));
        // Ten minutes inside the limit: far more than the time the test takes, so it is younger at sweep time.
        var justUnder = SimulatedAgent.Result("clinic-a", "xr-1", 3, now.AddDays(-30).AddMinutes(10), overlay: true);
        var fresh = SimulatedAgent.Result("clinic-a", "xr-1", 4, now);
        foreach (var r in new[] { old, justOver, justUnder, fresh })
        {
            await agent.PublishResultAsync(r);
        }
        await agent.PublishOverlayAsync(old.ResultId, TestPng.Gradient(4, 4));
        await agent.PublishOverlayAsync(justUnder.ResultId, TestPng.Gradient(4, 4));
        await hub.WaitForStoredResultsAsync(4);
        await TestHub.WaitUntilAsync(() => Task.FromResult(hub.Runtime.Statistics.OverlaysStored == 2), "two overlays stored");

        var deleted = await hub.Runtime.Retention.SweepAsync(CancellationToken.None);

        Assert.Equal(2, deleted);
        var page = await hub.GetJsonAsync<ResultPageView>("/api/results");
        Assert.Equal([fresh.ResultId, justUnder.ResultId], page.Items.Select(r => r.ResultId));
        var overlays = Path.Combine(hub.Folder.FullName, "overlays");
        Assert.False(File.Exists(Path.Combine(overlays, old.ResultId + ".png")));
        Assert.True(File.Exists(Path.Combine(overlays, justUnder.ResultId + ".png")));
        Assert.Equal(HttpStatusCode.OK, (await hub.Http.GetAsync($"/api/results/{justUnder.ResultId}/overlay")).StatusCode);
        Assert.Equal(0, await hub.Runtime.Retention.SweepAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Retention_off_deletes_nothing()
    {
        await using var hub = await TestHub.StartAsync();
        await using var agent = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort);
        await agent.ConnectAsync();
        await agent.PublishResultAsync(SimulatedAgent.Result("clinic-a", "xr-1", 1, DateTimeOffset.UtcNow.AddYears(-20)));
        await hub.WaitForStoredResultsAsync(1);
        Assert.Equal(0, await hub.Runtime.Retention.SweepAsync(CancellationToken.None));
        Assert.Equal(1, await hub.Runtime.Store.CountResultsAsync(CancellationToken.None));
    }
}
