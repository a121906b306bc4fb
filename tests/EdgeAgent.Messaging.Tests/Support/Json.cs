using System.Text.Json;
using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Messaging.Tests.Support;

internal static class Json
{
    public static ResultMessage Result(ReceivedMessage m) =>
        JsonSerializer.Deserialize(m.Payload, MessagingJsonContext.Default.ResultMessage)!;

    public static StatusMessage Status(ReceivedMessage m) =>
        JsonSerializer.Deserialize(m.Payload, MessagingJsonContext.Default.StatusMessage)!;

    public static CommandReply Reply(ReceivedMessage m) =>
        JsonSerializer.Deserialize(m.Payload, MessagingJsonContext.Default.CommandReply)!;

    public static string ResultId(ReceivedMessage m) => Result(m).ResultId;
}
