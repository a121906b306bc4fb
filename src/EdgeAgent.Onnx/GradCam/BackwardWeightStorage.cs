namespace EdgeAgent.Onnx.GradCam;

/// <summary>How the gradient subgraph reads the large weight matrices of dense layers (Gemm, MatMul by a 2-D weight).</summary>
public enum BackwardWeightStorage
{
    /// <summary>The backward product reads the model's own float32 weight: the CAM is exact to float32 rounding.</summary>
    Float32 = 0,

    /// <summary>
    /// Weights of at least <see cref="GradCamOptions.Int8MinElements"/> elements get a second, offline copy as two
    /// int8 matrices (a coarse one and its residual, per-column scales) and the backward product becomes two ONNX
    /// MatMulInteger ops on a two-level int8 split of the gradient: about half the memory traffic of the float32 weight,
    /// relative error ~2e-4 of the product (see docs/gradcam.md). Adds about half the weight's float32 size to the file.
    /// </summary>
    SplitInt8 = 1,

    /// <summary>
    /// As <see cref="SplitInt8"/> but with one int8 copy (7-bit codes, per-column scales) and one MatMulInteger: a quarter
    /// of the float32 weight's bytes per Run. The weight's rounding dominates the error, ~1e-2 relative of the product
    /// (see docs/gradcam.md): enough for a heat map, not for a gradient check. Adds a quarter of the weight's size to the file.
    /// </summary>
    Int8 = 2,
}
