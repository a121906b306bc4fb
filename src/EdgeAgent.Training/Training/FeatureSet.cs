namespace EdgeAgent.Training.Training;

/// <summary>Inputs (flattened [C*H*W] feature maps or images) with their class indices.</summary>
public sealed record FeatureSet(IReadOnlyList<float[]> Inputs, IReadOnlyList<int> Labels)
{
    public int Count => Inputs.Count;
}
