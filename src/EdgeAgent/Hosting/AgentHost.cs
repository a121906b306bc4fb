using System.Diagnostics.CodeAnalysis;
using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Inference;
using EdgeAgent.Inference.Safety;
using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Messaging.Publishing;
using EdgeAgent.Models;
using EdgeAgent.Models.Updates;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Hosting;

/// <summary>
/// Builds the agent service: configuration (appsettings.json, --config file, EDGEAGENT_ environment variables, command
/// line), validated options, the model, the folder pipeline and the result sinks.
/// </summary>
public static class AgentHost
{
    public const string EnvironmentPrefix = "EDGEAGENT_";

    public static HostApplicationBuilder CreateBuilder(AgentHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "edge-agent",
        });
        if (settings.ReadAppSettings)
        {
            builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        }

        if (settings.ConfigFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(settings.ConfigFile), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine([.. settings.CommandLine]);
        if (settings.Overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings.Overrides);
        }

        if (settings.UseShippedModel && string.IsNullOrWhiteSpace(builder.Configuration["Model:Path"]))
        {
            var data = builder.Configuration[$"{AgentOptions.SectionName}:{nameof(AgentOptions.DataDirectory)}"] ?? new AgentOptions().DataDirectory;
            if (BundledModel.TryResolveShipped(Console.Error, Path.Combine(Path.GetFullPath(data), "model-cache")) is { } shipped)
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Model:Path"] = shipped });
            }
        }

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // Logs on stderr keep stdout for what the verbs print (demo table, bench figures); journald reads both.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSystemd();
        // Per-file failures never reach the host (they are quarantined). Anything that does is a broken agent: stop it and
        // exit non-zero so systemd (Restart=on-failure) starts a fresh one, instead of running on without a pipeline.
        builder.Services.Configure<HostOptions>(o =>
        {
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
            o.ShutdownTimeout = TimeSpan.FromSeconds(20);
        });

        AddAgent(builder.Services, builder.Configuration);
        return builder;
    }

    private static void AddAgent(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        // One Bind call per options type: the configuration-binding source generator (trimmed publish) needs the concrete type.
        services.AddOptions<AgentOptions>().Bind(configuration.GetSection(AgentOptions.SectionName));
        Validate<AgentOptions>(services, configuration, AgentOptions.SectionName, ConfigurationRules.Check);
        services.AddOptions<InputOptions>().Bind(configuration.GetSection(InputOptions.SectionName));
        Validate<InputOptions>(services, configuration, InputOptions.SectionName, ConfigurationRules.Check);
        services.AddOptions<ModelOptions>().Bind(configuration.GetSection(ModelOptions.SectionName));
        Validate<ModelOptions>(services, configuration, ModelOptions.SectionName, ConfigurationRules.Check);
        services.AddOptions<InferenceOptions>().Bind(configuration.GetSection(InferenceOptions.SectionName));
        Validate<InferenceOptions>(services, configuration, InferenceOptions.SectionName, ConfigurationRules.Check);
        services.AddOptions<OutputOptions>().Bind(configuration.GetSection(OutputOptions.SectionName));
        Validate<OutputOptions>(services, configuration, OutputOptions.SectionName, ConfigurationRules.Check);
        services.AddOptions<SafetyOptions>().Bind(configuration.GetSection(SafetyOptions.SectionName));
        Validate<SafetyOptions>(services, configuration, SafetyOptions.SectionName, o => o.Validate());
        services.AddSingleton<IValidateOptions<OutputOptions>, FolderLayoutValidator>();

        services.AddSingleton(sp => AgentPaths.Resolve(
            sp.GetRequiredService<IOptions<AgentOptions>>().Value,
            sp.GetRequiredService<IOptions<InputOptions>>().Value,
            sp.GetRequiredService<IOptions<OutputOptions>>().Value));
        services.AddSingleton(sp => new InferenceSessionFactory(sp.GetRequiredService<IOptions<InferenceOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ModelLoader>();
        services.AddOptions<ModelUpdateOptions>().Bind(configuration.GetSection(ModelUpdateOptions.SectionName));
        // The start-up model: the active package of a model update when there is one, else Model:Path.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ModelOptions>>().Value;
            var startup = ModelStartup.Load(sp.GetRequiredService<ModelLoader>(), options.Path!, options.WarmUp,
                ModelUpdateDirectory(sp), sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ModelStartup)));
            var model = startup.Current;
            var overlayClass = sp.GetRequiredService<IOptions<OutputOptions>>().Value.OverlayClass;
            if (overlayClass is { Length: > 0 } && !model.Manifest.Labels.Contains(overlayClass))
            {
                model.Dispose();
                startup.Previous?.Dispose();
                throw new ModelContractException(
                    $"Output:OverlayClass is '{overlayClass}', which is not a label of {model.Manifest.Name} ({string.Join(", ", model.Manifest.Labels)})");
            }

            return startup;
        });
        services.AddSingleton(sp => sp.GetRequiredService<StartupModels>().Current);
        // What the pipeline reads per item; model updates swap it (and a restart continues an interrupted health watch).
        services.AddSingleton(sp => new ModelHolder(sp.GetRequiredService<StartupModels>(), sp.GetRequiredService<IOptions<ModelUpdateOptions>>().Value.HealthWindow));
        if (configuration.GetValue<bool>($"{ModelUpdateOptions.SectionName}:{nameof(ModelUpdateOptions.Enabled)}"))
        {
            services.AddHostedService(sp => new ModelUpdateService(
                sp.GetRequiredService<MqttLink>(), sp.GetRequiredService<IOptions<MqttOptions>>(), sp.GetRequiredService<IOptions<ModelUpdateOptions>>(),
                sp.GetRequiredService<ModelHolder>(), sp.GetRequiredService<ModelLoader>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ModelUpdateService>>(), ModelUpdateDirectory(sp)!, sp.GetRequiredService<StartupModels>()));
        }
        services.AddSingleton(sp =>
        {
            var paths = sp.GetRequiredService<AgentPaths>();
            Directory.CreateDirectory(paths.DataDirectory);
            return new ProcessingLedger(paths.LedgerFile);
        });
        // Not tied to a model: the overlay legend names the model each item was diagnosed with (it changes on a model update).
        services.AddSingleton<IImagePreparer>(sp => new ImagingPreparer(new InputQualityGate(sp.GetRequiredService<IOptions<SafetyOptions>>().Value)));
        services.AddSingleton<IResultSink, ResultsFolderSink>();
        services.AddSingleton<IResultSink, OutboxResultSink>();
        services.AddSingleton<IDeviceStatusSource, AgentStatusSource>();
        // Overlays over the MQTT cap or the broker's packet size are shrunk by the imaging side rather than dropped.
        services.AddSingleton<Messaging.Publishing.IOverlayShrinker, PngOverlayShrinker>();
        services.AddEdgeAgentMessaging(configuration);
        // The outbox and the MQTT topics follow the Agent section unless their own keys are set.
        services.PostConfigure<OutboxOptions>(o =>
        {
            if (configuration[$"{OutboxOptions.SectionName}:{nameof(OutboxOptions.Path)}"] is null)
            {
                o.Path = Path.Combine(Path.GetFullPath(configuration[$"{AgentOptions.SectionName}:{nameof(AgentOptions.DataDirectory)}"] ?? new AgentOptions().DataDirectory), "outbox.db");
            }
        });
        services.PostConfigure<MqttOptions>(o =>
        {
            var agent = new AgentOptions();
            configuration.GetSection(AgentOptions.SectionName).Bind(agent);
            o.Site = configuration[$"{MqttOptions.SectionName}:{nameof(MqttOptions.Site)}"] ?? agent.Site;
            o.DeviceId = configuration[$"{MqttOptions.SectionName}:{nameof(MqttOptions.DeviceId)}"] ?? agent.DeviceId;
        });
        services.AddSingleton<FileSettler>();
        services.AddSingleton<PipelineMonitor>();
        services.AddSingleton<InputProcessor>();
        services.AddHostedService<FolderPipeline>();

        // Camera input (Devices:Camera:Enabled) feeds the watch folder; the systemd watchdog is fed only while the pipeline is healthy.
        services.AddSingleton<Devices.Input.ICapturedFrameSink, WatchFolderFrameSink>();
        services.AddSingleton<Devices.Watchdog.IPipelineHealth, PipelineHealthSource>();
        services.AddCameraInput(configuration);
        services.AddSingleton<Messaging.Publishing.IDeviceCommand, CaptureCommand>();
        services.AddHealthGatedWatchdog();
    }

    /// <summary>ModelUpdates:Directory, default {Agent:DataDirectory}/models; null when updates are off.</summary>
    private static string? ModelUpdateDirectory(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<ModelUpdateOptions>>().Value;
        return options.Enabled
            ? Path.GetFullPath(options.Directory ?? Path.Combine(sp.GetRequiredService<AgentPaths>().DataDirectory, "models"))
            : null;
    }

    private static void Validate<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(
        IServiceCollection services, IConfiguration configuration, string section, Func<T, IEnumerable<string>> rules)
        where T : class
    {
        services.AddOptions<T>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(configuration, section, rules));
    }
}
