using EdgeAgent.Devices.Camera;
using EdgeAgent.Devices.Triggers;
using EdgeAgent.Hosting;
using EdgeAgent.Messaging.Contracts;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Tests;

public sealed class CaptureCommandTests
{
    [Fact]
    public void Without_a_camera_the_capture_command_is_refused_with_the_key_to_set()
    {
        var queue = new CaptureRequestQueue(TimeProvider.System);
        var reply = new CaptureCommand(queue, Options.Create(new CameraOptions { Enabled = false })).Execute(new CommandRequest());
        Assert.False(reply.Ok);
        Assert.Contains("Devices:Camera:Enabled", reply.Message);
        Assert.Equal(0, queue.Pending);
    }

    [Fact]
    public async Task With_a_camera_it_queues_a_command_capture_carrying_the_request_id_until_the_queue_is_full()
    {
        var queue = new CaptureRequestQueue(TimeProvider.System);
        var command = new CaptureCommand(queue, Options.Create(new CameraOptions { Enabled = true }));
        var replies = Enumerable.Range(0, CaptureRequestQueue.Capacity + 1)
            .Select(i => command.Execute(new CommandRequest { RequestId = $"r{i}" })).ToList();

        Assert.All(replies.Take(CaptureRequestQueue.Capacity), r => Assert.True(r.Ok));
        Assert.False(replies[^1].Ok);
        var first = await queue.ReadAsync(CancellationToken.None);
        Assert.Equal(CaptureTrigger.Command, first.Trigger);
        Assert.Equal("r0", first.CorrelationId);
    }
}
