using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models.Updates;

/// <summary>
/// Chooses the model to start with: the active package of state.json, else its previous one, else Model:Path.
/// Every candidate goes through ModelPackage.Load (manifest and model sha256), so a half-written package is skipped.
/// When state.json says the active package is still on probation (the agent stopped during its health watch), the
/// model to roll back to is loaded as well and the watch continues where it stopped; if the agent has now died
/// <see cref="MaxInterruptedInferences"/> times while that model was working, it is rolled back here.
/// </summary>
public static class ModelStartup
{
    /// <summary>
    /// One death mid-item can be a power cut; a second one within the first inferences of a new model is taken as the
    /// model bringing the process down (a native fault in its session), which the in-process watch can never see.
    /// </summary>
    public const int MaxInterruptedInferences = 2;

    public static StartupModels Load(ModelLoader loader, string configuredPath, bool warmUp, string? updateDirectory, ILogger logger)
    {
        if (updateDirectory is null)
        {
            return new StartupModels(loader.Load(configuredPath, warmUp));
        }
        var stateFile = new UpdateStateFile(updateDirectory);
        var state = stateFile.Read();
        if (TryLoad(loader, state.Active, warmUp, logger) is { } active)
        {
            if (state.Probation is not { } probation)
            {
                return new StartupModels(active);
            }
            // Without the package it replaced, Model:Path is what the agent would serve anyway: roll back to that.
            var previous = TryLoad(loader, state.Previous, warmUp, logger) ?? loader.Load(configuredPath, warmUp);
            var interrupted = probation.Interrupted + (probation.InFlight > 0 ? 1 : 0);
            if (interrupted >= MaxInterruptedInferences)
            {
                var reason = $"the agent stopped {interrupted} times while it was working (crash or power cut)";
                stateFile.Update(s => new UpdateState
                {
                    Active = s.Previous,
                    Previous = null,
                    Probation = null,
                    Refused = s.Active is null ? s.Refused : [.. s.Refused, s.Active.Sha256],
                });
                logger.LogError("Model {Version} rolled back to {Previous} at start-up: {Reason}", active.Manifest.Version, previous.Manifest.Version, reason);
                var version = active.Manifest.Version;
                active.Dispose();
                return new StartupModels(previous, RolledBackVersion: version, RollbackReason: reason);
            }
            var resumed = probation with { InFlight = 0, Interrupted = interrupted };
            stateFile.Update(s => s with { Probation = resumed });
            logger.LogWarning(
                "Model {Version} was on probation when the agent stopped; its health watch continues at {Inferences} inferences (rollback to {Previous})",
                active.Manifest.Version, probation.Inferences, previous.Manifest.Version);
            return new StartupModels(active, previous, resumed);
        }
        return new StartupModels(TryLoad(loader, state.Previous, warmUp, logger) ?? loader.Load(configuredPath, warmUp));
    }

    private static LoadedModel? TryLoad(ModelLoader loader, InstalledModel? candidate, bool warmUp, ILogger logger)
    {
        if (candidate is null)
        {
            return null;
        }
        try
        {
            return loader.Load(candidate.Path, warmUp);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError("Updated model {Version} at {Path} does not load ({Reason}); trying the next", candidate.Version, candidate.Path, ex.Message);
            return null;
        }
    }
}
