namespace EdgeAgent.Models.Updates;

/// <summary>
/// What the agent starts with: the model to serve and, when a restart interrupted the health watch of an updated
/// model, the model to roll back to and how far the watch had got. <see cref="RolledBackVersion"/> and
/// <see cref="RollbackReason"/> are set when the start-up itself rolled an updated model back.
/// </summary>
public sealed record StartupModels(
    LoadedModel Current, LoadedModel? Previous = null, ProbationState? Probation = null, string? RolledBackVersion = null, string? RollbackReason = null);
