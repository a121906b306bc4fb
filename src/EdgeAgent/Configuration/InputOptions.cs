namespace EdgeAgent.Configuration;

/// <summary>The watched folder and how files arriving there are handled (configuration section "Input").</summary>
public sealed class InputOptions
{
    public const string SectionName = "Input";
    public const int MaxInFlightLimit = 64;

    /// <summary>Folder the agent watches for images; default &lt;DataDirectory&gt;/inbox.</summary>
    public string? WatchFolder { get; set; }

    public AfterProcessing AfterProcessing { get; set; } = AfterProcessing.Move;

    /// <summary>Images decoded and classified at the same time.</summary>
    public int MaxInFlight { get; set; } = 2;

    /// <summary>How long a file's size must stay unchanged before it counts as completely written.</summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the whole folder is listed again, because file-system events can be lost.</summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where processed inputs go; default &lt;DataDirectory&gt;/processed.</summary>
    public string? ProcessedFolder { get; set; }

    /// <summary>Where inputs that could not be diagnosed go, each beside a .error.json; default &lt;DataDirectory&gt;/failed.</summary>
    public string? FailedFolder { get; set; }

    /// <summary>Files larger than this are refused without being read.</summary>
    public long MaxFileBytes { get; set; } = 256L * 1024 * 1024;
}
