using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models.Updates;

/// <summary>
/// Chooses the model to start with: the active package of state.json, else its previous one, else Model:Path.
/// Every candidate goes through ModelPackage.Load (manifest and model sha256), so a half-written package is skipped.
/// When state.json says the active package is still on probation (the agent stopped during its health watch), the
/// model to roll back to is loaded as well and the watch continues where it stopped.
/// </summary>
public static class ModelStartup
{
    public static StartupModels Load(ModelLoader loader, string configuredPath, bool warmUp, string? updateDirectory, ILogger logger)
    {
        if (updateDirectory is null)
        {
            return new StartupModels(loader.Load(configuredPath, warmUp));
        }
        var state = new UpdateStateFile(updateDirectory).Read();
        if (TryLoad(loader, state.Active, warmUp, logger) is { } active)
        {
            if (state.Probation is not { } probation)
            {
                return new StartupModels(active);
            }
            // Without the package it replaced, Model:Path is what the agent would serve anyway: roll back to that.
            var previous = TryLoad(loader, state.Previous, warmUp: false, logger) ?? loader.Load(configuredPath, warmUp: false);
            logger.LogWarning(
                "Model {Version} was on probation when the agent stopped; its health watch continues at {Inferences} inferences (rollback to {Previous})",
                active.Manifest.Version, probation.Inferences, previous.Manifest.Version);
            return new StartupModels(active, previous, probation);
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
