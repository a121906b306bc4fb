namespace EdgeAgent.Onnx.Quantization;

/// <summary>The calibration or validation data cannot be used (missing folder, no images, unreadable file).</summary>
public sealed class CalibrationDataException : Exception
{
    public CalibrationDataException(string message) : base(message) { }

    public CalibrationDataException(string message, Exception inner) : base(message, inner) { }
}
