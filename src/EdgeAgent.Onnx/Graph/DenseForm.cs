namespace EdgeAgent.Onnx.Graph;

/// <summary>How a fully connected layer is expressed in ONNX.</summary>
public enum DenseForm
{
    /// <summary>One Gemm with transB=1 and the weight stored [out, in] (as PyTorch exports Linear).</summary>
    Gemm,

    /// <summary>MatMul with the weight stored [in, out], then Add of the bias (as tf2onnx exports Dense).</summary>
    MatMulAdd,
}
