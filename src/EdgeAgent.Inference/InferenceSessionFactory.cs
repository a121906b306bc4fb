using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference;

/// <summary>
/// Builds ONNX Runtime sessions on the most preferred execution provider that works here. Each configured
/// provider is tried in order (with the less preferred ones behind it as fall-backs for nodes it cannot run);
/// a provider missing from this ONNX Runtime build, or whose session fails to initialise, is logged with the
/// reason and skipped. The CPU provider is always the last resort.
/// </summary>
public sealed class InferenceSessionFactory
{
    private readonly InferenceOptions options;
    private readonly ILogger logger;

    public InferenceSessionFactory(InferenceOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        logger = loggerFactory.CreateLogger<InferenceSessionFactory>();
        OrtEnvironment.EnsureConfigured(loggerFactory, options.OrtLogLevel);
    }

    /// <summary>Creates a session for <paramref name="model"/> (ONNX bytes); <paramref name="modelName"/> is used in logs and errors.</summary>
    public ModelSession Create(byte[] model, string modelName)
    {
        ArgumentNullException.ThrowIfNull(model);
        var available = new HashSet<string>(OrtEnv.Instance().GetAvailableProviders(), StringComparer.OrdinalIgnoreCase);
        var preference = options.PreferredProviders.Where(p => !ExecutionProviders.IsCpu(p)).ToList();
        var attempts = new List<ProviderAttempt>();

        // Providers this build does not contain are rejected up front; the rest are tried as a chain.
        var usable = new List<string>();
        foreach (var provider in preference)
        {
            if (available.Contains(ExecutionProviders.OrtName(provider)))
            {
                usable.Add(provider);
                continue;
            }

            var reason = $"not included in this ONNX Runtime build (available: {string.Join(", ", available.Order(StringComparer.Ordinal))})";
            attempts.Add(new ProviderAttempt(provider, reason));
            InferenceLog.ProviderRejected(logger, provider, reason);
        }

        for (var i = 0; i < usable.Count; i++)
        {
            var chain = usable.Skip(i).ToList();
            try
            {
                var session = CreateSession(model, chain);
                attempts.Add(new ProviderAttempt(chain[0], null));
                Chosen(chain[0], modelName);
                return new ModelSession(session, chain[0], attempts);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or ArgumentException)
            {
                var reason = OrtEnvironment.Describe(ex);
                attempts.Add(new ProviderAttempt(chain[0], reason));
                InferenceLog.ProviderRejected(logger, chain[0], reason);
            }
        }

        try
        {
            var cpu = CreateSession(model, []);
            attempts.Add(new ProviderAttempt(ExecutionProviders.Cpu, null));
            Chosen(ExecutionProviders.Cpu, modelName);
            return new ModelSession(cpu, ExecutionProviders.Cpu, attempts);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidOperationException(
                $"Model '{modelName}' cannot be loaded by ONNX Runtime on the CPU provider: {OrtEnvironment.Describe(ex)}", ex);
        }
    }

    private InferenceSession CreateSession(byte[] model, IReadOnlyList<string> providers)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            GraphOptimizationLevel = options.OptimizationLevel,
            ExecutionMode = options.InterOpThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
        };
        try
        {
            foreach (var provider in providers)
            {
                ExecutionProviders.Append(sessionOptions, provider, options.DeviceId);
            }

            return new InferenceSession(model, sessionOptions);
        }
        finally
        {
            // The session keeps its own copy of the options; ours can go.
            sessionOptions.Dispose();
        }
    }

    private void Chosen(string provider, string modelName) =>
        InferenceLog.ProviderChosen(logger, provider, modelName, options.IntraOpThreads, options.InterOpThreads, options.OptimizationLevel.ToString());
}
