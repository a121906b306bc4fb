namespace EdgeAgent.Messaging.Outbox;

/// <summary>
/// The life of an outbox entry. Pending -> Published happens only after the broker's PUBACK;
/// Published -> Pending only by an explicit republish (CLI or <c>resync</c>). Published entries are
/// deleted when older than the retention or when their bytes are needed; pending entries never are.
/// </summary>
public enum OutboxEntryState
{
    Pending = 0,
    Published = 1,
}
