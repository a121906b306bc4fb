using EdgeAgent.Imaging.Overlay;
using EdgeAgent.Imaging.Png;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Publishing;
using EdgeAgent.Pipeline;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Messaging.TestHost;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>A real PNG of seeded RGB noise (noise does not compress, so its size is about 3 bytes a pixel).</summary>
    private static byte[] NoisePng(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        new Random(width * 7919 + height).NextBytes(rgb);
        return PngWriter.WriteRgb8(width, height, rgb);
    }

    private static void AddShrinker(IServiceCollection services) => services.AddSingleton<IOverlayShrinker, PngOverlayShrinker>();

    [Fact(Timeout = 150_000)]
    public async Task Overlays_refused_by_mosquittos_message_size_limit_are_shrunk_to_fit_or_dropped_and_their_results_still_go()
    {
        const int Limit = 1024 * 1024;
        using var broker = await MosquittoBroker.StartAsync($"message_size_limit {Limit}");
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, ResultsTopic, OverlayFilter);
        // The device's own cap is set above 10 MB so that the broker is the one to refuse.
        await using var agent = new MessagingHarness(_data.Path, broker.PlainUrl, new Dictionary<string, string?>
        {
            ["Mqtt:OverlayMaxBytes"] = "20000000",
            // 10 MB through MQTTnet takes seconds on a loaded 2-core machine; the test is about the refusal, not speed.
            ["Mqtt:OperationTimeout"] = "00:01:00",
        }, AddShrinker);
        await agent.StartAsync();
        var big = SampleResults.Numbered(1, hasOverlay: true);
        var undecodable = SampleResults.Numbered(2, hasOverlay: true);
        var small = SampleResults.Numbered(3, hasOverlay: true);
        var bigOverlay = NoisePng(2400, 1400);
        var smallOverlay = NoisePng(100, 60);
        Assert.InRange(bigOverlay.Length, 10_000_000, 10_200_000);

        agent.Outbox.Enqueue(big, bigOverlay);
        agent.Outbox.Enqueue(undecodable, FakePng(2 * Limit));
        agent.Outbox.Enqueue(small, smallOverlay);

        var received = await hub.WaitForAsync(m => m.Count(x => x.Topic == ResultsTopic) >= 3, TimeSpan.FromSeconds(120), "the three results");
        var results = received.Where(m => m.Topic == ResultsTopic).Select(Json.Result).ToList();
        foreach (var line in agent.Logs.Lines.Where(l => l.Contains("Overlay of result", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }
        Assert.Equal([big.ResultId, undecodable.ResultId, small.ResultId], results.Select(r => r.ResultId));

        // 10 MB refused (0x95); each refusal asks the shrinker for a copy of at most a quarter of the refused size, until
        // one is accepted under the 1 MiB limit (here two steps: about 2 MB, refused; then about 0.4 MB): shrunk, not dropped.
        Assert.True(results[0].HasOverlay);
        Assert.Equal(OverlayStatuses.Shrunk, results[0].OverlayStatus);
        Assert.Null(results[0].OverlayOmitted);
        var shrunk = Assert.Single(received, m => m.Topic == Topics.Overlay(MessagingHarness.Site, MessagingHarness.Device, big.ResultId));
        Assert.InRange(shrunk.Payload.Length, 1, Limit);
        Assert.Equal(OverlayStatuses.Shrunk, shrunk.UserProperties[ResultPublisher.OverlayStatusProperty]);
        Assert.Equal(OverlayStatuses.Shrunk, received.First(m => m.Topic == ResultsTopic).UserProperties[ResultPublisher.OverlayStatusProperty]);
        var png = SkiaSharp.SKBitmap.DecodeBounds(shrunk.Payload);
        Assert.True(png.Width < 2400 && png.Width >= OverlayShrinker.MinLongerSide, $"{png.Width}x{png.Height}");
        // Aspect ratio kept: each side is rounded to whole pixels, so the height is within one pixel of width * 1400 / 2400.
        Assert.InRange(png.Height, png.Width * 1400.0 / 2400 - 1, png.Width * 1400.0 / 2400 + 1);
        Assert.Contains(agent.Logs.Lines, l => l.Contains($"Overlay of result {big.ResultId} shrunk from {bigOverlay.Length}", StringComparison.Ordinal));

        // Bytes that are no image cannot be shrunk: dropped, and the result says why.
        Assert.False(results[1].HasOverlay);
        Assert.Equal(OverlayStatuses.Dropped, results[1].OverlayStatus);
        Assert.Contains("broker refused", results[1].OverlayOmitted);
        Assert.Contains("no smaller copy", results[1].OverlayOmitted);
        Assert.DoesNotContain(received, m => m.Topic.Contains(undecodable.ResultId, StringComparison.Ordinal));

        Assert.True(results[2].HasOverlay);
        Assert.Equal(OverlayStatuses.Full, results[2].OverlayStatus);
        Assert.Null(results[2].OverlayOmitted);
        var overlayIndex = received.ToList().FindIndex(m => m.Topic == Topics.Overlay(MessagingHarness.Site, MessagingHarness.Device, small.ResultId));
        var resultIndex = received.ToList().FindIndex(m => m.Topic == ResultsTopic && Json.ResultId(m) == small.ResultId);
        Assert.True(overlayIndex >= 0 && overlayIndex < resultIndex, "the overlay is acknowledged before its result goes");
        var overlay = received[overlayIndex];
        Assert.Equal(smallOverlay, overlay.Payload);
        Assert.Equal("image/png", overlay.ContentType);
        Assert.Equal(small.ResultId, overlay.UserProperties["resultId"]);
        Assert.False(overlay.Retain);
        await Await.ConditionAsync(() => agent.Outbox.GetStats().PendingCount == 0, TimeSpan.FromSeconds(10), "outbox empty");
        Assert.True(agent.Logs.Contains($"Overlay of result {undecodable.ResultId} not sent"));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_overlay_over_the_packet_size_mosquitto_advertises_is_shrunk_before_it_is_sent()
    {
        const int MaxPacket = 200_000;
        using var broker = await MosquittoBroker.StartAsync($"max_packet_size {MaxPacket}");
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, ResultsTopic, OverlayFilter);
        await using var agent = new MessagingHarness(_data.Path, broker.PlainUrl, configure: AddShrinker);
        await agent.StartAsync();
        var result = SampleResults.Numbered(1, hasOverlay: true);
        var overlay = NoisePng(400, 300);
        Assert.True(overlay.Length > MaxPacket);

        agent.Outbox.Enqueue(result, overlay);

        var received = await hub.WaitForAsync(m => m.Any(x => x.Topic == ResultsTopic), TimeSpan.FromSeconds(30), "the result");
        Assert.Equal(MaxPacket, agent.Link.BrokerMaximumPacketSize);
        var sent = Json.Result(received.Single(m => m.Topic == ResultsTopic));
        Assert.Equal(OverlayStatuses.Shrunk, sent.OverlayStatus);
        Assert.True(sent.HasOverlay);
        var shrunk = Assert.Single(received, m => m.Topic.EndsWith("/overlay", StringComparison.Ordinal));
        Assert.InRange(shrunk.Payload.Length, 1, MaxPacket);
        // Shrunk before sending: the broker never saw (and never refused or disconnected over) the full overlay.
        Assert.DoesNotContain(agent.Logs.Lines, l => l.Contains("broker refused", StringComparison.Ordinal) || l.Contains("failed", StringComparison.Ordinal));
        Assert.Contains(agent.Logs.Lines, l => l.Contains("does not fit the broker's maximum packet size (200000)", StringComparison.Ordinal));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(20_000, OverlayStatuses.Shrunk)]
    // Even a copy with a 32-pixel longer side is a few hundred bytes of PNG: nothing fits in 100.
    [InlineData(100, OverlayStatuses.Dropped)]
    public async Task An_overlay_over_the_device_cap_is_shrunk_to_fit_or_dropped_when_no_copy_fits(int cap, string status)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, ResultsTopic, OverlayFilter);
        await using var agent = new MessagingHarness(_data.Path, broker.Url, new Dictionary<string, string?>
        {
            ["Mqtt:OverlayMaxBytes"] = cap.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, AddShrinker);
        await agent.StartAsync();
        var result = SampleResults.Numbered(1, hasOverlay: true);

        agent.Outbox.Enqueue(result, NoisePng(160, 120));

        var received = await hub.WaitForAsync(m => m.Any(x => x.Topic == ResultsTopic), TimeSpan.FromSeconds(20), "the result");
        var sent = Json.Result(received.Single(m => m.Topic == ResultsTopic));
        Assert.Equal(status, sent.OverlayStatus);
        var overlays = received.Where(m => m.Topic.EndsWith("/overlay", StringComparison.Ordinal)).ToList();
        if (status == OverlayStatuses.Shrunk)
        {
            Assert.True(sent.HasOverlay);
            Assert.InRange(Assert.Single(overlays).Payload.Length, 1, cap);
        }
        else
        {
            Assert.False(sent.HasOverlay);
            Assert.Contains("over Mqtt:OverlayMaxBytes (100); no smaller copy fits", sent.OverlayOmitted);
            Assert.Empty(overlays);
        }
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
        Assert.Equal(OverlayStatuses.Dropped, sent.OverlayStatus);
        Assert.DoesNotContain(received, m => m.Topic.EndsWith("/overlay", StringComparison.Ordinal));
    }
}
