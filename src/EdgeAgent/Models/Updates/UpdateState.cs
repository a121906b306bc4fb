namespace EdgeAgent.Models.Updates;

/// <summary>state.json of the update directory: which verified package is active and which one came before.</summary>
public sealed record UpdateState
{
    public InstalledModel? Active { get; init; }
    public InstalledModel? Previous { get; init; }
    /// <summary>Non-null while <see cref="Active"/> is under its health watch; cleared when it passes or is rolled back.</summary>
    public ProbationState? Probation { get; init; }
    /// <summary>Package hashes refused or rolled back; their (retained) announcements are not tried again.</summary>
    public IReadOnlyList<string> Refused { get; init; } = [];
}
