using Microsoft.Extensions.Logging;

namespace EdgeAgent.Cli;

/// <summary>Logging for one-shot verbs: warnings and errors on stderr, so stdout stays clean for results.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(LogLevel minimum = LogLevel.Warning) =>
        LoggerFactory.Create(b => b
            .SetMinimumLevel(minimum)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
}
