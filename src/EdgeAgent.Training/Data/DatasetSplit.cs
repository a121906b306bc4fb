namespace EdgeAgent.Training.Data;

/// <summary>Disjoint train/validation/test lists (by source id).</summary>
public sealed record DatasetSplit(IReadOnlyList<ImageSample> Train, IReadOnlyList<ImageSample> Validation, IReadOnlyList<ImageSample> Test);
