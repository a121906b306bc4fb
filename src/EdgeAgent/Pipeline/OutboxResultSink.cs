using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Messaging.Outbox;

namespace EdgeAgent.Pipeline;

/// <summary>Commits each result to the durable MQTT outbox before its input moves; a full outbox leaves the input waiting.</summary>
public sealed class OutboxResultSink(OutboxStore outbox) : IResultSink
{
    public ValueTask CommitAsync(ResultMessage result, ReadOnlyMemory<byte>? overlayPng, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return outbox.Enqueue(result, overlayPng) switch
        {
            EnqueueOutcome.Full => throw new ResultNotAcceptedException(
                $"the outbox is full ({outbox.GetStats().FullReason}); inputs wait in the watch folder until results are delivered"),
            _ => ValueTask.CompletedTask,
        };
    }

    public bool Holds(string resultId) => outbox.Contains(resultId);
}
