namespace EdgeAgent.Onnx.GradCam;

/// <summary>Axis order of the target feature map.</summary>
public enum FeatureLayout
{
    /// <summary>Detect: NHWC when the map comes from a Transpose(0,2,3,1) as tf2onnx emits, NCHW otherwise.</summary>
    Auto,
    Nchw,
    Nhwc,
}
