using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference;

/// <summary>
/// How ONNX Runtime sessions are built (configuration section "Inference").
/// </summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>
    /// Execution providers in order of preference; null means ["CPU"]. Each is tried in turn; CPU is always the last
    /// resort even when it is not listed. Names: TensorRT, CUDA, ROCm, DirectML, OpenVINO, CoreML, Dnnl, XNNPACK, CPU.
    /// (Null rather than a filled default because the configuration binder appends to a pre-filled list.)
    /// </summary>
    public List<string>? Providers { get; set; }

    /// <summary>The providers to try, in order.</summary>
    public IReadOnlyList<string> PreferredProviders => Providers is { Count: > 0 } list ? list : [ExecutionProviders.Cpu];

    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads running independent operators in parallel; 0 lets ONNX Runtime choose.</summary>
    public int InterOpThreads { get; set; }

    /// <summary>Graph optimisation level: None, Basic, Extended or All.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Lowest ONNX Runtime log severity forwarded to the agent log: Verbose, Info, Warning, Error, Fatal.</summary>
    public OrtLoggingLevel OrtLogLevel { get; set; } = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING;

    /// <summary>GPU device index for CUDA/TensorRT/ROCm/DirectML.</summary>
    public int DeviceId { get; set; }

    /// <summary>Problems with these options, each naming its key under <paramref name="section"/>.</summary>
    public IReadOnlyList<string> Validate(string section = SectionName)
    {
        var errors = new List<string>();
        if (Providers is not null)
        {
            for (var i = 0; i < Providers.Count; i++)
            {
                if (!ExecutionProviders.IsKnown(Providers[i]))
                {
                    errors.Add($"{section}:Providers:{i} is '{Providers[i]}', which is not a known execution provider " +
                               $"(known: {string.Join(", ", ExecutionProviders.KnownNames)})");
                }
            }
        }

        var maxThreads = Math.Max(64, Environment.ProcessorCount * 4);
        if (IntraOpThreads < 0 || IntraOpThreads > maxThreads)
        {
            errors.Add($"{section}:IntraOpThreads must be between 0 and {maxThreads} (got {IntraOpThreads})");
        }

        if (InterOpThreads < 0 || InterOpThreads > maxThreads)
        {
            errors.Add($"{section}:InterOpThreads must be between 0 and {maxThreads} (got {InterOpThreads})");
        }

        if (DeviceId < 0)
        {
            errors.Add($"{section}:DeviceId must be 0 or more (got {DeviceId})");
        }

        return errors;
    }
}
