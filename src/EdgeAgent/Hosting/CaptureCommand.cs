using EdgeAgent.Devices.Camera;
using EdgeAgent.Devices.Triggers;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Publishing;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Hosting;

/// <summary>
/// <c>cmd/capture</c>: the hub asks the camera for a frame now (same path as the push-button: capture,
/// quality gate, diagnosis). Refused with a reason when no camera is configured or the queue is full.
/// </summary>
internal sealed class CaptureCommand(CaptureRequestQueue queue, IOptions<CameraOptions> camera) : IDeviceCommand
{
    public const string CommandName = "capture";

    public string Name => CommandName;

    public CommandReply Execute(CommandRequest request)
    {
        if (!camera.Value.Enabled)
        {
            return new CommandReply { Command = Name, Ok = false, Message = "no camera on this device (Devices:Camera:Enabled is false)" };
        }

        return queue.TryRequest(CaptureTrigger.Command, request.RequestId)
            ? new CommandReply { Command = Name, Ok = true, Message = "capture queued" }
            : new CommandReply { Command = Name, Ok = false, Message = $"{CaptureRequestQueue.Capacity} captures are already waiting; try again in a moment" };
    }
}
