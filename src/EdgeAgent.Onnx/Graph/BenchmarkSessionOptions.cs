using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Onnx.Graph;

/// <summary>Session options shared by the benchmarks that time several sessions alternately in one process.</summary>
public static class BenchmarkSessionOptions
{
    /// <summary>CPU provider, all graph optimisations, one inter-op thread, errors only in the log.</summary>
    public static SessionOptions Create(int intraOpThreads) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = intraOpThreads,
        InterOpNumThreads = 1,
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
    };
}
