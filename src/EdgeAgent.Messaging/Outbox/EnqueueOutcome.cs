namespace EdgeAgent.Messaging.Outbox;

public enum EnqueueOutcome
{
    /// <summary>Committed durably; the input may now be moved away.</summary>
    Queued,
    /// <summary>A result with this id is already in the outbox (e.g. re-processing after a crash); nothing was written.</summary>
    AlreadyQueued,
    /// <summary>Nothing was written: the outbox is at a cap. Leave the input where it is and pause intake.</summary>
    Full,
}
