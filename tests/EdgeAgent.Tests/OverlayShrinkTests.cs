using System.Security.Cryptography;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Publishing;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Pipeline;
using SkiaSharp;

namespace EdgeAgent.Tests;

/// <summary>The agent hands the publisher its imaging-side shrinker: an overlay over the MQTT cap reaches the hub smaller.</summary>
public sealed class OverlayShrinkTests
{
    [Fact(Timeout = 60_000)]
    public async Task An_overlay_over_the_mqtt_cap_reaches_the_hub_shrunk_while_the_results_folder_keeps_it_full()
    {
        const int Cap = 40_000;
        using var broker = await MosquittoBroker.StartAsync();
        var resultsTopic = Topics.Results("test-site", "test-device");
        await using var hub = await TestSubscriber.ConnectAsync(broker.Port, resultsTopic, resultsTopic + "/+/overlay");
        await using var agent = AgentHarness.Create();
        agent.Settings["Mqtt:Enabled"] = "true";
        agent.Settings["Mqtt:Url"] = broker.PlainUrl;
        agent.Settings["Mqtt:OverlayMaxBytes"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await agent.StartAsync();
        // 200-pixel noise: its overlay PNG is well over the cap, and a copy with a longer side of 32 pixels or more fits.
        var image = TestImages.Noise(7, size: 200);
        await File.WriteAllBytesAsync(Path.Combine(agent.Inbox, "large.png"), image);

        var received = await hub.WaitForAsync(m => m.Any(x => x.Topic == resultsTopic), TimeSpan.FromSeconds(30), "the result");

        var id = ResultIds.For(Convert.ToHexStringLower(SHA256.HashData(image)), "test-gap-untrained", "0.0.1");
        var result = Json.Result(received.Single(m => m.Topic == resultsTopic));
        Assert.Equal(id, result.ResultId);
        Assert.True(result.HasOverlay);
        Assert.Equal(OverlayStatuses.Shrunk, result.OverlayStatus);
        var sent = received.Single(m => m.Topic == Topics.Overlay("test-site", "test-device", id));
        Assert.Equal(OverlayStatuses.Shrunk, sent.UserProperties[ResultPublisher.OverlayStatusProperty]);
        var full = await File.ReadAllBytesAsync(Path.Combine(agent.Results, id + ".png"));
        Assert.True(full.Length > Cap, $"the rendered overlay ({full.Length} bytes) must be over the cap for this test to mean anything");
        Assert.InRange(sent.Payload.Length, 1, Cap);
        var fullSize = SKBitmap.DecodeBounds(full);
        var shrunkSize = SKBitmap.DecodeBounds(sent.Payload);
        Assert.Equal(200, fullSize.Width);
        // Square in, square out (each side rounds the same scale to whole pixels).
        Assert.Equal(shrunkSize.Width, shrunkSize.Height);
        Assert.InRange(shrunkSize.Width, Imaging.Overlay.OverlayShrinker.MinLongerSide, fullSize.Width - 1);
    }
}
