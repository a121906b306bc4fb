using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Pipeline;

/// <summary>Writes results/&lt;id&gt;.json (the same schema as the MQTT results topic) and results/&lt;id&gt;.png.</summary>
public sealed class ResultsFolderSink(AgentPaths paths) : IResultSink
{
    public async ValueTask CommitAsync(ResultMessage result, ReadOnlyMemory<byte>? overlayPng, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (overlayPng is { } png)
        {
            await AtomicFile.WriteAsync(Path.Combine(paths.ResultsFolder, result.ResultId + ".png"), png, cancellationToken);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(result, ResultFileJson.Default.ResultMessage);
        await AtomicFile.WriteAsync(Path.Combine(paths.ResultsFolder, result.ResultId + ".json"), json, cancellationToken);
    }

    /// <summary>The JSON is written last and renamed into place, so its presence means the whole result is there.</summary>
    public bool Holds(string resultId) => File.Exists(Path.Combine(paths.ResultsFolder, resultId + ".json"));
}
