namespace EdgeAgent.Pipeline;

/// <summary>A result sink cannot take results for now (e.g. its disk cap is reached); the input waits in the watch folder.</summary>
public sealed class ResultNotAcceptedException : Exception
{
    public ResultNotAcceptedException(string message) : base(message) { }

    public ResultNotAcceptedException(string message, Exception inner) : base(message, inner) { }

    public ResultNotAcceptedException() { }
}
