namespace EdgeAgent.Pipeline;

/// <summary>An input that cannot be diagnosed, with a reason a person can act on and the stage that refused it.</summary>
public sealed class ImageRejectedException : Exception
{
    public ImageRejectedException(string stage, string reason, Exception? inner = null) : base(reason, inner) => Stage = stage;

    public ImageRejectedException() { Stage = "decode"; }

    public ImageRejectedException(string message) : base(message) { Stage = "decode"; }

    public ImageRejectedException(string message, Exception inner) : base(message, inner) { Stage = "decode"; }

    public string Stage { get; }
}
