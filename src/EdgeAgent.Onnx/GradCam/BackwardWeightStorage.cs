namespace EdgeAgent.Onnx.GradCam;

/// <summary>How the gradient subgraph reads the large weight matrices of dense layers (Gemm, MatMul by a 2-D weight).</summary>
public enum BackwardWeightStorage
{
    /// <summary>The backward product reads the model's own float32 weight: the CAM is exact to float32 rounding.</summary>
    Float32 = 0,

    /// <summary>
    /// Weights of at least <see cref="GradCamOptions.SplitInt8MinElements"/> elements get a second, offline copy as two
    /// int8 matrices (a coarse one and its residual, per-column scales) and the backward product becomes two ONNX
    /// MatMulInteger ops on a two-level int8 split of the gradient: about half the memory traffic of the float32 weight,
    /// relative error ~2e-4 of the product (see docs/gradcam.md). Adds about half the weight's float32 size to the file.
    /// </summary>
    SplitInt8 = 1,
}
