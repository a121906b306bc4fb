using EdgeAgent.Devices.Camera;
using EdgeAgent.Devices.Frames;
using EdgeAgent.Devices.Gpio;
using EdgeAgent.Devices.Input;
using EdgeAgent.Devices.Quality;
using EdgeAgent.Devices.Status;
using EdgeAgent.Devices.Triggers;
using EdgeAgent.Devices.Watchdog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Devices;

/// <summary>Registers the camera input, its triggers, the status LED and the health-gated watchdog.</summary>
public static class DevicesServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Devices:Camera</c> and <c>Devices:Quality</c> (validated at start-up) and, when the
    /// camera is enabled, runs <see cref="CameraInput"/> with the button and interval triggers it
    /// configures. The agent must register its <see cref="ICapturedFrameSink"/>. The agent's MQTT
    /// command handler asks for captures through <see cref="CaptureRequestQueue"/> and reports the
    /// hub connection through <see cref="StatusIndicator.SetOnline"/>.
    /// </summary>
    public static IServiceCollection AddCameraInput(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<CameraOptions>().Bind(configuration.GetSection(CameraOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CameraOptions>, CameraOptionsValidator>();
        services.AddOptions<FrameQualityOptions>().Bind(configuration.GetSection(FrameQualityOptions.SectionName));

        services.TryAddSingleton<CaptureRequestQueue>();
        services.TryAddSingleton(sp => new FrameQualityGate(sp.GetRequiredService<IOptions<FrameQualityOptions>>().Value));
        services.TryAddSingleton(sp => new FrameDecoder(sp.GetRequiredService<IOptions<CameraOptions>>().Value.FullRangeYuyv));
        services.TryAddSingleton<SharedGpioController>();
        services.TryAddSingleton<IStatusLed>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CameraOptions>>().Value;
            return options.StatusLedPin is { } pin
                ? new StatusLed(new GpioDigitalOutput(sp.GetRequiredService<SharedGpioController>().Controller, pin), sp.GetRequiredService<TimeProvider>())
                : new NullStatusLed();
        });
        services.TryAddSingleton(sp => new StatusIndicator(
            sp.GetRequiredService<IStatusLed>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<CameraOptions>>().Value.ErrorLedSeconds),
            sp.GetRequiredService<TimeProvider>()));

        var camera = new CameraOptions();
        configuration.GetSection(CameraOptions.SectionName).Bind(camera);
        if (!camera.Enabled)
        {
            return services;
        }

        services.TryAddSingleton<IFrameSource>(sp =>
            V4l2FrameSource.Open(sp.GetRequiredService<IOptions<CameraOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<CameraInput>();

        if (camera.ButtonPin is not null)
        {
            services.TryAddSingleton<IButton>(sp =>
            {
                var options = sp.GetRequiredService<IOptions<CameraOptions>>().Value;
                var input = new GpioDigitalInput(sp.GetRequiredService<SharedGpioController>().Controller, options.ButtonPin!.Value, pullUp: options.ButtonActiveLow);
                return new DebouncedButton(input, options.ButtonActiveLow, TimeSpan.FromMilliseconds(options.ButtonDebounceMilliseconds), sp.GetRequiredService<TimeProvider>());
            });
            services.AddHostedService<ButtonTriggerService>();
        }

        if (camera.IntervalSeconds > 0)
        {
            services.AddHostedService(sp => new IntervalCaptureTrigger(
                sp.GetRequiredService<CaptureRequestQueue>(),
                TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<CameraOptions>>().Value.IntervalSeconds),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<IntervalCaptureTrigger>>()));
        }

        return services;
    }

    /// <summary>
    /// Feeds systemd's watchdog while the agent's <see cref="IPipelineHealth"/> says healthy.
    /// Needs <c>AddSystemd()</c> (for <see cref="ISystemdNotifier"/>) and the agent's health source.
    /// </summary>
    public static IServiceCollection AddHealthGatedWatchdog(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddHostedService(sp => new HealthGatedWatchdog(
            sp.GetRequiredService<ISystemdNotifier>(),
            sp.GetRequiredService<IPipelineHealth>(),
            HealthGatedWatchdog.TimeoutFromEnvironment(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<HealthGatedWatchdog>>()));
        return services;
    }
}
