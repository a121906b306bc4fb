using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Messaging.TestHost;

namespace EdgeAgent.Messaging.Tests;

/// <summary>Overlays travel beside their result; when one cannot go, the result still does and says why.</summary>
public sealed class OverlayPolicyTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private static readonly string ResultsTopic = Topics.Results(MessagingHarness.Site, MessagingHarness.Device);
    private static readonly string OverlayFilter = Topics.Results(MessagingHarness.Site, MessagingHarness.Device) + "/+/overlay";
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static byte[] FakePng(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        "\x89PNG\r\n\x1a\n"u8.ToArray().CopyTo(bytes, 0);
        return bytes;
    }

    [Fact(Timeout = 120_000)]
    public async Task A_10_MB_overlay_refused_by_mosquittos_message_size_limit_is_dropped_and_its_result_still_goes()
    {
        using var broker = await MosquittoBroker.StartAsync("message_size_limit 1048576");
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, ResultsTopic, OverlayFilter);
        // The device's own cap is set above 10 MB so that the broker is the one to refuse.
        await using var agent = new MessagingHarness(_data.Path, broker.PlainUrl, new Dictionary<string, string?>
        {
            ["Mqtt:OverlayMaxBytes"] = "20000000",
            // 10 MB through MQTTnet takes seconds on a loaded 2-core machine; the test is about the refusal, not speed.
            ["Mqtt:OperationTimeout"] = "00:01:00",
        });
        await agent.StartAsync();
        var big = SampleResults.Numbered(1, hasOverlay: true);
        var small = SampleResults.Numbered(2, hasOverlay: true);
        var smallOverlay = FakePng(100_000);

        agent.Outbox.Enqueue(big, FakePng(10 * 1024 * 1024));
        agent.Outbox.Enqueue(small, smallOverlay);

        var received = await hub.WaitForAsync(m => m.Count(x => x.Topic == ResultsTopic) >= 2, TimeSpan.FromSeconds(90), "both results");
        var results = received.Where(m => m.Topic == ResultsTopic).Select(Json.Result).ToList();
        foreach (var line in agent.Logs.Lines.Where(l => l.Contains("Warning", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }
        Assert.Equal([big.ResultId, small.ResultId], results.Select(r => r.ResultId));
        Assert.False(results[0].HasOverlay);
        Assert.Contains("broker refused", results[0].OverlayOmitted);
        Assert.DoesNotContain(received, m => m.Topic.Contains(big.ResultId, StringComparison.Ordinal));

        Assert.True(results[1].HasOverlay);
        Assert.Null(results[1].OverlayOmitted);
        var overlayIndex = received.ToList().FindIndex(m => m.Topic == Topics.Overlay(MessagingHarness.Site, MessagingHarness.Device, small.ResultId));
        var resultIndex = received.ToList().FindIndex(m => m.Topic == ResultsTopic && Json.ResultId(m) == small.ResultId);
        Assert.True(overlayIndex >= 0 && overlayIndex < resultIndex, "the overlay is acknowledged before its result goes");
        var overlay = received[overlayIndex];
        Assert.Equal(smallOverlay, overlay.Payload);
        Assert.Equal("image/png", overlay.ContentType);
        Assert.Equal(small.ResultId, overlay.UserProperties["resultId"]);
        Assert.False(overlay.Retain);
        await Await.ConditionAsync(() => agent.Outbox.GetStats().PendingCount == 0, TimeSpan.FromSeconds(10), "outbox empty");
        Assert.True(agent.Logs.Contains($"Overlay of result {big.ResultId} not sent"));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("send", "1000", "over Mqtt:OverlayMaxBytes")]
    [InlineData("off", "20000000", "overlay publishing is off")]
    public async Task The_device_policy_keeps_an_overlay_back_and_the_result_says_why(string mode, string maxBytes, string reason)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, ResultsTopic, OverlayFilter);
        await using var agent = new MessagingHarness(_data.Path, broker.Url, new Dictionary<string, string?>
        {
            ["Mqtt:Overlay"] = mode,
            ["Mqtt:OverlayMaxBytes"] = maxBytes,
        });
        await agent.StartAsync();
        var result = SampleResults.Numbered(1, hasOverlay: true);

        agent.Outbox.Enqueue(result, FakePng(5000));

        var received = await hub.WaitForAsync(m => m.Any(x => x.Topic == ResultsTopic), TimeSpan.FromSeconds(20), "the result");
        var sent = Json.Result(received.Single(m => m.Topic == ResultsTopic));
        Assert.Equal(result.ResultId, sent.ResultId);
        Assert.False(sent.HasOverlay);
        Assert.Contains(reason, sent.OverlayOmitted);
        Assert.DoesNotContain(received, m => m.Topic.EndsWith("/overlay", StringComparison.Ordinal));
    }
}
