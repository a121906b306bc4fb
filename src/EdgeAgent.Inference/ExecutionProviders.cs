using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference;

/// <summary>Maps the configured provider names onto ONNX Runtime's registration calls.</summary>
public static class ExecutionProviders
{
    public const string Cpu = "CPU";

    private static readonly Dictionary<string, string> OrtNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["TensorRT"] = "TensorrtExecutionProvider",
        ["CUDA"] = "CUDAExecutionProvider",
        ["ROCm"] = "ROCMExecutionProvider",
        ["DirectML"] = "DmlExecutionProvider",
        ["OpenVINO"] = "OpenVINOExecutionProvider",
        ["CoreML"] = "CoreMLExecutionProvider",
        ["Dnnl"] = "DnnlExecutionProvider",
        ["XNNPACK"] = "XnnpackExecutionProvider",
        [Cpu] = "CPUExecutionProvider",
    };

    public static IReadOnlyCollection<string> KnownNames => OrtNames.Keys;

    public static bool IsKnown(string? name) => name is not null && OrtNames.ContainsKey(name);

    public static bool IsCpu(string name) => string.Equals(name, Cpu, StringComparison.OrdinalIgnoreCase);

    /// <summary>ONNX Runtime's own name for a configured provider (e.g. CUDA -> CUDAExecutionProvider).</summary>
    public static string OrtName(string name) =>
        OrtNames.TryGetValue(name, out var ort) ? ort : throw new ArgumentException($"Unknown execution provider '{name}'", nameof(name));

    /// <summary>Appends one provider to <paramref name="options"/>; throws when this build or machine cannot host it.</summary>
    internal static void Append(SessionOptions options, string name, int deviceId)
    {
        switch (name.ToUpperInvariant())
        {
            case "TENSORRT": options.AppendExecutionProvider_Tensorrt(deviceId); break;
            case "CUDA": options.AppendExecutionProvider_CUDA(deviceId); break;
            case "ROCM": options.AppendExecutionProvider_ROCm(deviceId); break;
            case "DIRECTML": options.AppendExecutionProvider_DML(deviceId); break;
            case "OPENVINO": options.AppendExecutionProvider_OpenVINO(string.Empty); break;
            case "COREML": options.AppendExecutionProvider_CoreML(CoreMLFlags.COREML_FLAG_USE_NONE); break;
            case "DNNL": options.AppendExecutionProvider_Dnnl(0); break;
            case "XNNPACK": options.AppendExecutionProvider("XNNPACK", new Dictionary<string, string>()); break;
            case "CPU": break; // ONNX Runtime always registers CPU last.
            default: throw new ArgumentException($"Unknown execution provider '{name}'", nameof(name));
        }
    }
}
