namespace EdgeAgent.Models.Updates;

/// <summary>
/// What the agent starts with: the model to serve and, when a restart interrupted the health watch of an updated
/// model, the model to roll back to and how far the watch had got.
/// </summary>
public sealed record StartupModels(LoadedModel Current, LoadedModel? Previous = null, ProbationState? Probation = null);
