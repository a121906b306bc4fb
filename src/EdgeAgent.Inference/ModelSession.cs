using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference;

/// <summary>
/// An ONNX Runtime session together with the execution provider it ended up on and the providers that were
/// tried before. <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is safe to call from several threads at once, so one instance serves every caller.
/// </summary>
public sealed class ModelSession : IDisposable
{
    internal ModelSession(InferenceSession session, string provider, IReadOnlyList<ProviderAttempt> attempts)
    {
        Session = session;
        Provider = provider;
        Attempts = attempts;
    }

    public InferenceSession Session { get; }

    /// <summary>The configured name of the provider in use (e.g. "CPU", "CUDA").</summary>
    public string Provider { get; }

    /// <summary>Every provider tried, in order, ending with the one in use.</summary>
    public IReadOnlyList<ProviderAttempt> Attempts { get; }

    public void Dispose() => Session.Dispose();
}
