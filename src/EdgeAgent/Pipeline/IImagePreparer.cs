using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Pipeline;

/// <summary>Decodes an input file's bytes and preprocesses them for the model.</summary>
public interface IImagePreparer
{
    /// <exception cref="ImageRejectedException">The bytes are not an image this agent can diagnose; the message says why.</exception>
    PreparedImage Prepare(ReadOnlyMemory<byte> content, string fileName, InputSpec spec);
}
