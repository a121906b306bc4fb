namespace EdgeAgent.Devices.Camera;

/// <summary>A capture device could not be opened or did not deliver a frame.</summary>
public sealed class CameraException : Exception
{
    public CameraException(string message) : base(message) { }

    public CameraException(string message, Exception innerException) : base(message, innerException) { }

    public CameraException() { }
}
