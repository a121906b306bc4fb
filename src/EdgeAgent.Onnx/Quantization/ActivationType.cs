namespace EdgeAgent.Onnx.Quantization;

/// <summary>Element type of quantized activations (weights are always int8 symmetric).</summary>
public enum ActivationType
{
    /// <summary>Asymmetric uint8 (U8S8): the x64 default; VNNI's VPDPBUSD multiplies u8 by s8 natively.</summary>
    UInt8,

    /// <summary>Symmetric int8, zero point 0 (S8S8): what TensorRT explicit quantization requires; good on ARM (SDOT).</summary>
    Int8,
}
