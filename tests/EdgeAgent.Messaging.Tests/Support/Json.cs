using System.Runtime.CompilerServices;
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

    private static readonly ConditionalWeakTable<ReceivedMessage, string> Ids = new();

    /// <summary>Parsed once per message: tests re-evaluate conditions over all messages on every arrival.</summary>
    public static string ResultId(ReceivedMessage m) => Ids.GetValue(m, x => Result(x).ResultId);
}
