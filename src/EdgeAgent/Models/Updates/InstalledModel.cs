namespace EdgeAgent.Models.Updates;

/// <summary>A verified package unpacked under the update directory.</summary>
public sealed record InstalledModel
{
    public required string Version { get; init; }
    public required string Sha256 { get; init; }
    /// <summary>The unpacked package folder (loaded with ModelPackage.Load at start-up).</summary>
    public required string Path { get; init; }
}
