using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models.Updates;

/// <summary>
/// Chooses the model to start with: the active package of state.json, else its previous one, else Model:Path.
/// Every candidate goes through ModelPackage.Load (manifest and model sha256), so a half-written package is skipped.
/// </summary>
public static class ModelStartup
{
    public static LoadedModel Load(ModelLoader loader, string configuredPath, bool warmUp, string? updateDirectory, ILogger logger)
    {
        if (updateDirectory is not null)
        {
            var state = new UpdateStateFile(updateDirectory).Read();
            foreach (var candidate in new[] { state.Active, state.Previous })
            {
                if (candidate is null)
                {
                    continue;
                }
                try
                {
                    return loader.Load(candidate.Path, warmUp);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    logger.LogError("Updated model {Version} at {Path} does not load ({Reason}); trying the next", candidate.Version, candidate.Path, ex.Message);
                }
            }
        }
        return loader.Load(configuredPath, warmUp);
    }
}
