using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Messaging.Publishing;

/// <summary>
/// A command the device answers on <c>cmd/{Name}</c> besides the built-in <c>resync</c> and <c>rebirth</c>
/// (e.g. the agent's <c>capture</c>). Registered in DI; <see cref="CommandHandler"/> dispatches by name and
/// sends the reply with the request's correlation data.
/// </summary>
public interface IDeviceCommand
{
    string Name { get; }

    CommandReply Execute(CommandRequest request);
}
