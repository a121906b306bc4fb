using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>The transformed model and what was chosen while building it.</summary>
public sealed record GradCamResult
{
    public required ModelProto Model { get; init; }

    public required string TargetTensor { get; init; }

    public required string ScoreTensor { get; init; }

    /// <summary>Graph output holding probabilities when the model ends in Softmax, else null.</summary>
    public string? ProbabilitiesOutput { get; init; }

    public required string CamOutput { get; init; }

    public required long Classes { get; init; }

    public required FeatureLayout TargetLayout { get; init; }

    /// <summary>Target feature map shape seen by the probe run (batch probed as 2 when symbolic).</summary>
    public required IReadOnlyList<long> TargetShape { get; init; }

    public required int AddedNodeCount { get; init; }

    /// <summary>Op type -> number of nodes of that type that were differentiated.</summary>
    public required IReadOnlyDictionary<string, int> DifferentiatedOps { get; init; }

    /// <summary>Weight matrices whose backward product reads int8 copies (<see cref="BackwardWeightStorage.SplitInt8"/>, <see cref="BackwardWeightStorage.Int8"/>).</summary>
    public int Int8WeightCopies { get; init; }

    /// <summary>
    /// True when alpha comes from the recurrent layer's time-summed input gradient (<see cref="ChannelSumChain"/>)
    /// rather than from the full gradient at the target.
    /// </summary>
    public bool ChannelSumShortcut { get; init; }
}
