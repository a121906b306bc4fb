using EdgeAgent.Hub.Api;
using EdgeAgent.Hub.Tests.Support;

namespace EdgeAgent.Hub.Tests;

/// <summary>Hubs connected to an external broker (a real mosquitto), as several hub instances behind one broker would be.</summary>
public sealed class ExternalBrokerTests
{
    private static Task<TestHub> StartExternalHubAsync(MosquittoBroker broker, string clientId) =>
        TestHub.StartAsync(o =>
        {
            o.Broker.Mode = "external";
            o.Broker.Url = $"mqtt://127.0.0.1:{broker.Port}";
            o.Broker.ClientId = clientId;
        });

    [Fact]
    public async Task Two_hubs_in_one_share_group_split_the_results_and_both_see_retained_status()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        // The device was already online before the hubs started: its retained birth must reach both.
        await using var agent = new SimulatedAgent("clinic-a", "xr-1", broker.Port);
        await agent.ConnectAsync();
        await using var first = await StartExternalHubAsync(broker, "hub-one");
        await using var second = await StartExternalHubAsync(broker, "hub-two");

        for (var n = 0; n < 100; n++)
        {
            await agent.PublishResultAsync(SimulatedAgent.Result("clinic-a", "xr-1", n));
        }
        await TestHub.WaitUntilAsync(async () =>
            await first.Runtime.Store.CountResultsAsync(CancellationToken.None) + await second.Runtime.Store.CountResultsAsync(CancellationToken.None) == 100,
            "100 results across the two hubs");

        var a = (await first.GetJsonAsync<ResultPageView>("/api/results?limit=500")).Items.Select(r => r.ResultId).ToHashSet();
        var b = (await second.GetJsonAsync<ResultPageView>("/api/results?limit=500")).Items.Select(r => r.ResultId).ToHashSet();
        // Shared subscription: each result went to exactly one hub, and both took a part of the load.
        Assert.Empty(a.Intersect(b));
        Assert.Equal(100, a.Union(b).Count());
        Assert.NotEmpty(a);
        Assert.NotEmpty(b);

        foreach (var hub in new[] { first, second })
        {
            await TestHub.WaitUntilAsync(async () =>
                (await hub.GetJsonAsync<List<DeviceView>>("/api/devices")).SingleOrDefault(d => d.DeviceId == "xr-1")?.Online == true,
                "retained status seen by every hub");
        }
    }
}
