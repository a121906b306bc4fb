using System.Diagnostics.CodeAnalysis;
using EdgeAgent.Inference;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Hosting;

/// <summary>
/// Starts a built agent host and turns start-up problems into messages that name the setting to fix: invalid
/// configuration and unloadable models stop start-up with exit code 78, a crashed pipeline ends with exit code 1.
/// </summary>
public static class AgentRunner
{
    /// <summary>Starts <paramref name="host"/>; returns null when running, or the exit code with the errors written to <paramref name="error"/>.</summary>
    public static async Task<int?> StartAsync(IHost host, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(error);
        // ValidateOnStart reports only the first section that fails; check every section first so all problems show at once.
        var configurationErrors = ConfigurationErrors(host.Services);
        if (configurationErrors.Count > 0)
        {
            foreach (var message in configurationErrors)
            {
                await error.WriteLineAsync(message);
            }

            return ExitCodes.Config;
        }

        try
        {
            // Load the model before the host starts, so a bad package is reported in one line rather than as a host failure.
            _ = host.Services.GetRequiredService<Models.LoadedModel>();
            await host.StartAsync(cancellationToken);
            return null;
        }
        catch (Exception ex) when (Describe(ex) is { } messages)
        {
            foreach (var message in messages)
            {
                await error.WriteLineAsync(message);
            }

            return ExitCodes.Config;
        }
    }

    /// <summary>Runs the agent until it is stopped (SIGTERM, Ctrl+C) and returns the process exit code.</summary>
    public static async Task<int> RunAsync(IHost host, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (await StartAsync(host, error, cancellationToken) is { } failed)
        {
            return failed;
        }

        await host.WaitForShutdownAsync(cancellationToken);
        return host.Services.GetRequiredService<PipelineMonitor>().Fault is null ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private static List<string> ConfigurationErrors(IServiceProvider services)
    {
        var errors = new List<string>();
        Check<Configuration.AgentOptions>(services, errors);
        Check<Configuration.InputOptions>(services, errors);
        Check<Configuration.ModelOptions>(services, errors);
        Check<InferenceOptions>(services, errors);
        Check<Configuration.OutputOptions>(services, errors);
        Check<Inference.Safety.SafetyOptions>(services, errors);
        Check<Messaging.Outbox.OutboxOptions>(services, errors);
        Check<Messaging.Link.MqttOptions>(services, errors);
        return errors;
    }

    private static void Check<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IServiceProvider services, List<string> errors) where T : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<T>>().Value;
        }
        catch (Exception ex) when (Describe(ex) is { } messages)
        {
            errors.AddRange(messages.Where(m => !errors.Contains(m)));
        }
    }

    /// <summary>The start-up errors a person can fix by changing configuration or the model, one line each; null for anything else.</summary>
    public static IReadOnlyList<string>? Describe(Exception exception)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                return [.. validation.Failures.Select(f => $"Configuration error: {f}")];
            case InvalidOperationException when exception.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)
                                                 || exception.Message.Contains("ErrorOnUnknownConfiguration", StringComparison.Ordinal):
                return [$"Configuration error: {exception.Message} {exception.InnerException?.Message}".Trim()];
            case ModelContractException or InvalidDataException or Onnx.Packaging.ModelPackageException:
                return [$"Model error (Model:Path): {exception.Message}"];
            case InvalidOperationException when exception.Message.StartsWith("Model '", StringComparison.Ordinal):
                return [$"Model error (Model:Path): {exception.Message}"];
            case AggregateException aggregate:
                var inner = aggregate.InnerExceptions.Select(Describe).ToList();
                return inner.All(i => i is not null) ? [.. inner.SelectMany(i => i!)] : null;
            default:
                return null;
        }
    }
}
