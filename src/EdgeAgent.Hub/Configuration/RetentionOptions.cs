namespace EdgeAgent.Hub.Configuration;

/// <summary>How long results are kept, measured from their acquisition time.</summary>
public sealed class RetentionOptions
{
    /// <summary>Results acquired more than this many days ago are deleted with their overlays; 0 keeps everything.</summary>
    public double MaxAgeDays { get; set; }

    /// <summary>How often the retention sweep runs.</summary>
    public double SweepIntervalMinutes { get; set; } = 60;
}
