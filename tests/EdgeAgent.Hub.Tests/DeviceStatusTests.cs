using System.Text;
using EdgeAgent.Hub.Api;
using EdgeAgent.Hub.Tests.Support;
using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Hub.Tests;

public sealed class DeviceStatusTests
{
    private static async Task<DeviceView?> DeviceAsync(TestHub hub, string deviceId) =>
        (await hub.GetJsonAsync<List<DeviceView>>("/api/devices")).SingleOrDefault(d => d.DeviceId == deviceId);

    [Fact]
    public async Task Device_goes_online_with_its_birth_and_offline_through_its_last_will()
    {
        await using var hub = await TestHub.StartAsync();
        // The agent reaches the broker through a relay the test can cut like a dropped link.
        await using var relay = new TcpRelay(hub.BrokerPort);
        await using var agent = new SimulatedAgent("clinic-a", "xr-1", relay.Port);
        await agent.ConnectAsync(birthSequence: 7, modelVersion: "1.2.0");
        await TestHub.WaitUntilAsync(async () => (await DeviceAsync(hub, "xr-1"))?.Online == true, "device online");

        var online = (await DeviceAsync(hub, "xr-1"))!;
        Assert.Equal("clinic-a", online.Site);
        Assert.Equal("0.9.0", online.AgentVersion);
        Assert.Equal("1.2.0", online.ModelVersion);
        Assert.Equal(3, online.QueueDepth);
        Assert.Equal(["disk 91% full"], online.Alarms);
        Assert.Equal(7, online.BirthSequence);

        relay.Cut();
        await TestHub.WaitUntilAsync(async () => (await DeviceAsync(hub, "xr-1"))?.State == "offline", "device offline by Last Will");
        Assert.False((await DeviceAsync(hub, "xr-1"))!.Online);
    }

    [Fact]
    public async Task A_status_from_an_older_birth_does_not_overwrite_the_current_one()
    {
        await using var hub = await TestHub.StartAsync();
        await using var agent = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort);
        await agent.ConnectAsync(birthSequence: 5);
        await TestHub.WaitUntilAsync(async () => (await DeviceAsync(hub, "xr-1"))?.BirthSequence == 5, "birth 5 stored");

        // A late Last Will of connection 4 must not mark the device (now on connection 5) offline.
        await agent.PublishStatusAsync(agent.Status("offline") with { BirthSequence = 4 });
        // Followed by a newer stats update, so the test knows the stale one was processed before it.
        await agent.PublishStatusAsync(agent.Status("online") with { QueueDepth = 42 });
        await TestHub.WaitUntilAsync(async () => (await DeviceAsync(hub, "xr-1"))?.QueueDepth == 42, "stats update applied");
        Assert.Equal("online", (await DeviceAsync(hub, "xr-1"))!.State);
    }

    [Fact]
    public async Task Model_rollout_shows_versions_per_device_and_update_status()
    {
        await using var hub = await TestHub.StartAsync();
        await using var a = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort);
        await using var b = new SimulatedAgent("clinic-a", "xr-2", hub.BrokerPort);
        await using var c = new SimulatedAgent("clinic-b", "xr-3", hub.BrokerPort);
        await a.ConnectAsync(modelVersion: "1.0.0");
        await b.ConnectAsync(modelVersion: "1.1.0");
        await c.ConnectAsync(modelVersion: "1.1.0");
        await b.PublishRawAsync(Topics.ModelStatus("clinic-a", "xr-2"),
            Encoding.UTF8.GetBytes("{\"state\":\"active\",\"version\":\"1.1.0\"}"), retain: true);
        await a.PublishRawAsync(Topics.ModelStatus("clinic-a", "xr-1"),
            Encoding.UTF8.GetBytes("{\"state\":\"downloading\",\"version\":\"1.1.0\",\"progress\":0.4}"), retain: true);

        await TestHub.WaitUntilAsync(async () =>
        {
            var rollout = await hub.GetJsonAsync<ModelRolloutView>("/api/models");
            return rollout.Devices.Count == 3 && rollout.Devices.Count(d => d.ModelUpdate is not null) == 2 && rollout.Devices.All(d => d.ModelVersion is not null);
        }, "three devices with two update states");

        var view = await hub.GetJsonAsync<ModelRolloutView>("/api/models");
        var newer = Assert.Single(view.Versions, v => v.ModelVersion == "1.1.0");
        Assert.Equal(2, newer.DeviceCount);
        Assert.Equal(["clinic-a/xr-2", "clinic-b/xr-3"], newer.Devices.Order(StringComparer.Ordinal));
        Assert.Equal(1, Assert.Single(view.Versions, v => v.ModelVersion == "1.0.0").DeviceCount);
        var downloading = view.Devices.Single(d => d.DeviceId == "xr-1").ModelUpdate!.Value;
        Assert.Equal("downloading", downloading.GetProperty("state").GetString());
        Assert.Equal(0.4, downloading.GetProperty("progress").GetDouble());
    }
}
