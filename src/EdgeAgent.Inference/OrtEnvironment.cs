using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference;

/// <summary>
/// Configures ONNX Runtime's process-wide environment exactly once, before the first session, with its log
/// routed into an <see cref="ILogger"/>. ONNX Runtime allows one environment per process; later calls reuse it.
/// </summary>
public static class OrtEnvironment
{
    private static readonly Lock Gate = new();
    private static ILogger? ortLogger;
    // Kept in a static field so the garbage collector never frees the callback native code still holds.
    private static DOrtLoggingFunction? callback;

    /// <summary>True when the environment was configured by this class (false when something else created it first).</summary>
    public static bool LogRouted { get; private set; }

    public static void EnsureConfigured(ILoggerFactory loggerFactory, OrtLoggingLevel level)
    {
        lock (Gate)
        {
            if (OrtEnv.IsCreated)
            {
                return;
            }

            ortLogger = loggerFactory.CreateLogger("OnnxRuntime");
            callback = Forward;
            var options = new EnvironmentCreationOptions
            {
                logId = "edge-agent",
                logLevel = level,
                loggingFunction = callback,
            };
            OrtEnv.CreateInstanceWithOptions(ref options);
            LogRouted = true;
        }
    }

    private static void Forward(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        var logger = ortLogger;
        if (logger is null)
        {
            return;
        }

        var level = severity switch
        {
            OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE => LogLevel.Trace,
            OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO => LogLevel.Debug,
            OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING => LogLevel.Warning,
            OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR => LogLevel.Error,
            _ => LogLevel.Critical,
        };
        InferenceLog.OrtMessage(logger, level, category, codeLocation, message);
    }

    internal static string Describe(Exception ex) =>
        ex switch
        {
            EntryPointNotFoundException => "the ONNX Runtime native library in use has no entry point for it",
            DllNotFoundException => $"a native library it needs was not found ({ex.Message})",
            MarshalDirectiveException => ex.Message,
            _ => ex.Message.ReplaceLineEndings(" ").Trim(),
        };
}
