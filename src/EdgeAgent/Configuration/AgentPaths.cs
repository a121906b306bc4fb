namespace EdgeAgent.Configuration;

/// <summary>The folders and files the agent uses, resolved to full paths from the options and their defaults.</summary>
public sealed record AgentPaths
{
    public required string DataDirectory { get; init; }
    public required string WatchFolder { get; init; }
    public required string ProcessedFolder { get; init; }
    public required string FailedFolder { get; init; }
    public required string ResultsFolder { get; init; }
    public required string LedgerFile { get; init; }

    public static AgentPaths Resolve(AgentOptions agent, InputOptions input, OutputOptions output)
    {
        var data = Path.GetFullPath(agent.DataDirectory);
        string Under(string? configured, string name) => Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(data, name) : configured);
        return new AgentPaths
        {
            DataDirectory = data,
            WatchFolder = Under(input.WatchFolder, "inbox"),
            ProcessedFolder = Under(input.ProcessedFolder, "processed"),
            FailedFolder = Under(input.FailedFolder, "failed"),
            ResultsFolder = Under(output.ResultsFolder, "results"),
            LedgerFile = Path.Combine(data, "ledger.db"),
        };
    }

    /// <summary>Creates every folder; the watch folder must differ from the folders files are moved into.</summary>
    public void EnsureCreated()
    {
        foreach (var folder in new[] { DataDirectory, WatchFolder, ProcessedFolder, FailedFolder, ResultsFolder })
        {
            Directory.CreateDirectory(folder);
        }
    }

    /// <summary>Problems with the folder layout itself, naming the key that causes them.</summary>
    public IEnumerable<string> Check()
    {
        if (SamePath(WatchFolder, ProcessedFolder))
        {
            yield return $"Input:ProcessedFolder must differ from Input:WatchFolder (both are {WatchFolder})";
        }

        if (SamePath(WatchFolder, FailedFolder))
        {
            yield return $"Input:FailedFolder must differ from Input:WatchFolder (both are {WatchFolder})";
        }

        if (SamePath(WatchFolder, ResultsFolder))
        {
            yield return $"Output:ResultsFolder must differ from Input:WatchFolder (both are {WatchFolder})";
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);
}
