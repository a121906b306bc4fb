namespace EdgeAgent.Pipeline;

/// <summary>How one input file ended.</summary>
public enum InputOutcomeKind
{
    /// <summary>Diagnosed; the result is stored.</summary>
    Diagnosed,
    /// <summary>Same content as an input already diagnosed; no second result.</summary>
    Duplicate,
    /// <summary>Quarantined in failed/ with a reason.</summary>
    Failed,
    /// <summary>Left in the watch folder for a later try (shutdown, or a result sink that is full).</summary>
    Deferred,
    /// <summary>The file disappeared before it could be read.</summary>
    Vanished,
}

/// <summary>What happened to one input file.</summary>
public sealed record InputOutcome(string FileName, InputOutcomeKind Kind, string? ResultId = null, string? Reason = null, string? Label = null);
