namespace EdgeAgent.Onnx.GradCam;

/// <summary>Model metadata_props the transform writes, so a prepared model describes its own gradient subgraph.</summary>
public static class MetadataKeys
{
    public const string Target = "edgeagent.gradcam.target";
    public const string Score = "edgeagent.gradcam.score";
    public const string Cam = "edgeagent.gradcam.cam";
    public const string Layout = "edgeagent.gradcam.layout";

    /// <summary>Present ("SplitInt8" or "Int8") when large weights are read through int8 copies in the backward pass.</summary>
    public const string BackwardWeights = "edgeagent.gradcam.backward-weights";

    /// <summary>Prefix of every node and initializer the transform adds.</summary>
    public const string NodePrefix = "gradcam/";
}
