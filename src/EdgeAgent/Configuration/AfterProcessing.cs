namespace EdgeAgent.Configuration;

/// <summary>What happens to an input file once its result is safely stored.</summary>
public enum AfterProcessing
{
    /// <summary>Move it to the processed folder (default).</summary>
    Move,
    /// <summary>Delete it.</summary>
    Delete,
    /// <summary>Leave it in the watch folder; the ledger stops it being processed again.</summary>
    Leave,
}
