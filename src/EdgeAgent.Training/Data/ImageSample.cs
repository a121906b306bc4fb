namespace EdgeAgent.Training.Data;

/// <summary>One labelled image. Images with the same <see cref="SourceId"/> always land in the same split.</summary>
/// <param name="RelativePath">Path relative to the dataset root, '/'-separated (stable across machines).</param>
/// <param name="MaskPath">Lesion mask (white = lesion) when the dataset has one, for the pointing game.</param>
public sealed record ImageSample(string RelativePath, string FullPath, int Label, string SourceId, string? MaskPath);
