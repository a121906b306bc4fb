using EdgeAgent.Training.Export;

namespace EdgeAgent.Training.Models;

/// <summary>
/// A TorchSharp block whose forward wiring (a concatenation, a residual sum) is code the ONNX
/// writer cannot see; it writes its own nodes, delegating its child modules back to the writer.
/// </summary>
public interface IOnnxWritable
{
    /// <summary>Adds this block's nodes reading <paramref name="input"/>; returns the output tensor name.</summary>
    string WriteOnnx(TorchOnnxWriter writer, string input);
}
