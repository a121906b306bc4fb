namespace EdgeAgent.Inference;

/// <summary>One execution provider the factory tried, and why it was not used (null when it was).</summary>
public sealed record ProviderAttempt(string Provider, string? FailureReason)
{
    public bool Succeeded => FailureReason is null;
}
