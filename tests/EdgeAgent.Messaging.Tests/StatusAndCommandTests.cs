using System.Text;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Messaging.Publishing;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Messaging.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.Tests;

/// <summary>The retained status topic and the command channel, against the embedded MQTTnet broker.</summary>
public sealed class StatusAndCommandTests : IDisposable
{
    private const string Site = MessagingHarness.Site;
    private const string Device = MessagingHarness.Device;
    private static readonly string StatusTopic = Topics.Status(Site, Device);
    private static readonly string ResultsTopic = Topics.Results(Site, Device);
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private sealed class FixedStatusSource : IDeviceStatusSource
    {
        public DeviceStatusSnapshot GetSnapshot() => new()
        {
            AgentVersion = "1.2.3", ModelName = "covid-cnn-rnn", ModelVersion = "2.1.0", Provider = "CPUExecutionProvider",
            Processed = 42, Failed = 1, Alarms = ["camera-missing"],
        };
    }

    private MessagingHarness Agent(string url, IDictionary<string, string?>? settings = null) =>
        new(_data.Path, url, settings, s => s.AddSingleton<IDeviceStatusSource, FixedStatusSource>());

    [Fact(Timeout = 30_000)]
    public async Task Birth_is_retained_with_the_agents_figures_stopped_on_clean_shutdown_and_the_sequence_grows_across_restarts()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var watcher = await TestSubscriber.ConnectAsync(broker.Port, StatusTopic);
        long firstBirth;
        await using (var agent = Agent(broker.Url))
        {
            await agent.StartAsync();
            var birth = Json.Status((await watcher.WaitForAsync(m => m.Count >= 1, TimeSpan.FromSeconds(10), "birth"))[0]);
            Assert.Equal(DeviceStates.Online, birth.State);
            Assert.Equal(("2.1.0", "CPUExecutionProvider", 42L, 1L), (birth.ModelVersion, birth.Provider, birth.Processed, birth.Failed));
            Assert.Contains("camera-missing", birth.Alarms);
            Assert.True(birth.BirthSequence >= 1);
            firstBirth = birth.BirthSequence;
        }
        // Updates may follow the birth; the last word before the disconnect is "stopped".
        var afterStop = await watcher.WaitForAsync(m => m.Any(x => Json.Status(x).State == DeviceStates.Stopped), TimeSpan.FromSeconds(10), "stopped");
        Assert.Equal(DeviceStates.Stopped, Json.Status(afterStop[^1]).State);

        await using var again = Agent(broker.Url);
        await again.StartAsync();
        var rebirth = await watcher.WaitForAsync(m => m.Any(x => Json.Status(x).BirthSequence == firstBirth + 1), TimeSpan.FromSeconds(10), "second birth");
        Assert.Equal(DeviceStates.Online, Json.Status(rebirth.First(x => Json.Status(x).BirthSequence == firstBirth + 1)).State);

        // A hub that connects later gets the latest status at once, because it is retained.
        await using var late = await TestSubscriber.ConnectAsync(broker.Port, StatusTopic);
        var retained = (await late.WaitForAsync(m => m.Count >= 1, TimeSpan.FromSeconds(10), "retained status"))[0];
        Assert.True(retained.Retain);
        Assert.Equal((DeviceStates.Online, firstBirth + 1), (Json.Status(retained).State, Json.Status(retained).BirthSequence));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_running_agent_leaves_its_link_and_status_in_the_outbox_for_edge_agent_status()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var agent = Agent(broker.Url);
        await agent.StartAsync();

        // Written by the running agent into SQLite for another process: a bounded poll of that file.
        await Await.ConditionAsync(() => LocalStatusReport.Read(agent.Outbox)?.Link.Connected == true, TimeSpan.FromSeconds(10), "local status says connected");

        var report = LocalStatusReport.Read(agent.Outbox)!;
        Assert.Equal(("2.1.0", 42L), (report.Status.ModelVersion, report.Status.Processed));
        Assert.Equal($"mqtt://127.0.0.1:{broker.Port}", report.Link.Endpoint);
    }

    [Fact]
    public void A_full_outbox_raises_an_alarm_in_the_status()
    {
        var agent = Agent("mqtt://127.0.0.1:1", new Dictionary<string, string?> { ["Outbox:MaxPendingCount"] = "2" });
        try
        {
            for (var i = 0; i < 3; i++)
            {
                agent.Outbox.Enqueue(SampleResults.Numbered(i));
            }

            var status = agent.Status.Build(DeviceStates.Online);

            Assert.Equal(2, status.QueueDepth);
            Assert.Contains(status.Alarms, a => a.StartsWith("outbox-full:", StringComparison.Ordinal) && a.Contains("Outbox:MaxPendingCount", StringComparison.Ordinal));
            Assert.NotNull(status.OldestQueuedAgeSeconds);
        }
        finally
        {
            agent.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Resync_republishes_a_time_range_and_answers_on_the_response_topic_with_the_correlation_data()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, ResultsTopic, "hub/replies/#");
        await using var agent = Agent(broker.Url);
        await agent.StartAsync();
        var results = Enumerable.Range(0, 5).Select(i => SampleResults.Numbered(i)).ToList();
        foreach (var result in results)
        {
            agent.Outbox.Enqueue(result);
        }
        var firstCopies = await hub.WaitForAsync(m => m.Count >= 5, TimeSpan.FromSeconds(10), "five results");
        await Await.ConditionAsync(() => agent.Outbox.GetStats().PendingCount == 0, TimeSpan.FromSeconds(10), "all marked published");
        byte[] correlation = [7, 7, 42];

        await hub.Client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Command(Site, Device, DeviceCommands.Resync))
            .WithPayload($$"""{"from":"{{results[1].AcquiredAt:O}}","to":"{{results[3].AcquiredAt:O}}","requestId":"r1"}""")
            .WithResponseTopic("hub/replies/resync")
            .WithCorrelationData(correlation)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        var all = await hub.WaitForAsync(m => m.Count(x => x.Topic == ResultsTopic) >= 8 && m.Any(x => x.Topic == "hub/replies/resync"),
            TimeSpan.FromSeconds(10), "reply and three republished results");
        var replyMessage = all.Single(m => m.Topic == "hub/replies/resync");
        var reply = Json.Reply(replyMessage);
        Assert.Equal(correlation, replyMessage.CorrelationData);
        Assert.Equal((true, 3, "r1", DeviceCommands.Resync), (reply.Ok, reply.Republished, reply.RequestId, reply.Command));
        var republished = all.Where(m => m.Topic == ResultsTopic).Skip(5).ToList();
        Assert.Equal(results[1..4].Select(r => r.ResultId), republished.Select(Json.ResultId));
        // Same id, same bytes: the hub's de-duplication makes the resync harmless.
        Assert.All(republished, m => Assert.Equal(firstCopies.Single(f => Json.ResultId(f) == Json.ResultId(m)).Payload, m.Payload));
    }

    [Fact(Timeout = 30_000)]
    public async Task Rebirth_publishes_a_new_birth_and_replies_on_the_default_reply_topic_and_unknown_commands_are_refused()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, StatusTopic, Topics.Command(Site, Device, "+") + "/reply");
        await using var agent = Agent(broker.Url);
        await agent.StartAsync();
        var birth = Json.Status((await hub.WaitForAsync(m => m.Any(x => x.Topic == StatusTopic), TimeSpan.FromSeconds(10), "birth")).First(x => x.Topic == StatusTopic));

        await hub.Client.PublishStringAsync(Topics.Command(Site, Device, DeviceCommands.Rebirth), "", MqttQualityOfServiceLevel.AtLeastOnce);
        await hub.Client.PublishStringAsync(Topics.Command(Site, Device, "format-disk"), "{}", MqttQualityOfServiceLevel.AtLeastOnce);

        var all = await hub.WaitForAsync(m => m.Count(x => x.Topic.EndsWith("/reply", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(10), "two replies");
        var rebirthReply = Json.Reply(all.Single(m => m.Topic == Topics.CommandReply(Site, Device, DeviceCommands.Rebirth)));
        Assert.True(rebirthReply.Ok);
        Assert.Equal(birth.BirthSequence + 1, rebirthReply.BirthSequence);
        Assert.Contains(all, m => m.Topic == StatusTopic && Json.Status(m).BirthSequence == birth.BirthSequence + 1);
        var refused = Json.Reply(all.Single(m => m.Topic == Topics.CommandReply(Site, Device, "format-disk")));
        Assert.False(refused.Ok);
        Assert.Contains("unknown command 'format-disk'", refused.Message);
    }

    private sealed class EchoCommand : IDeviceCommand
    {
        public int Calls { get; private set; }

        public string Name => "echo";

        public CommandReply Execute(CommandRequest request)
        {
            Calls++;
            return new CommandReply { Command = Name, Ok = true, Message = $"echo {Calls}" };
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_registered_device_command_is_dispatched_by_name_and_its_reply_keeps_the_request_id()
    {
        var echo = new EchoCommand();
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, StatusTopic, Topics.Command(Site, Device, "+") + "/reply");
        await using var agent = new MessagingHarness(_data.Path, broker.Url, null, s => s.AddSingleton<IDeviceCommand>(echo));
        await agent.StartAsync();
        await hub.WaitForAsync(m => m.Any(x => x.Topic == StatusTopic), TimeSpan.FromSeconds(10), "birth");

        await hub.Client.PublishStringAsync(Topics.Command(Site, Device, "echo"), "{\"requestId\":\"r-7\"}", MqttQualityOfServiceLevel.AtLeastOnce);
        await hub.Client.PublishStringAsync(Topics.Command(Site, Device, "nope"), "{}", MqttQualityOfServiceLevel.AtLeastOnce);

        var all = await hub.WaitForAsync(m => m.Count(x => x.Topic.EndsWith("/reply", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(10), "two replies");
        var reply = Json.Reply(all.Single(m => m.Topic == Topics.CommandReply(Site, Device, "echo")));
        Assert.True(reply.Ok);
        Assert.Equal("echo 1", reply.Message);
        Assert.Equal("r-7", reply.RequestId);
        Assert.Equal(1, echo.Calls);
        var refused = Json.Reply(all.Single(m => m.Topic == Topics.CommandReply(Site, Device, "nope")));
        Assert.False(refused.Ok);
        Assert.Contains("known: resync, rebirth, echo", refused.Message);
    }
}
