namespace EdgeAgent.Devices.Frames;

/// <summary>A frame's bytes do not match its declared format or size.</summary>
public sealed class FrameDecodeException : Exception
{
    public FrameDecodeException(string message) : base(message) { }

    public FrameDecodeException(string message, Exception innerException) : base(message, innerException) { }

    public FrameDecodeException() { }
}
