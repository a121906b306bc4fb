using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models.Updates;

/// <summary>
/// Crash-injection hook for the process-kill tests, off by default: only when the environment variable
/// <c>EDGEAGENT_CRASH_INJECTION</c> names one of the steps below does the agent stop there (it logs the step and
/// waits until it is stopped), so a test can SIGKILL the real process at exactly that point of a model swap.
/// Nothing else reads the variable; an unset or unknown value changes nothing.
/// </summary>
public static class CrashInjection
{
    public const string Variable = "EDGEAGENT_CRASH_INJECTION";

    /// <summary>The new package is unpacked, loaded and self-tested, "verified" is published; state.json still names the old model.</summary>
    public const string Verified = "model-update:verified";

    /// <summary>state.json names the new package (on probation); the in-memory swap and "active" have not happened.</summary>
    public const string StateWritten = "model-update:state-written";

    private static readonly string? Requested = Environment.GetEnvironmentVariable(Variable);

    public static async Task PauseAtAsync(string step, ILogger logger, CancellationToken cancellationToken)
    {
        if (!string.Equals(Requested, step, StringComparison.Ordinal))
        {
            return;
        }
        logger.LogWarning("Crash injection ({Variable}): paused at {Step}, waiting to be killed", Variable, step);
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
    }
}
