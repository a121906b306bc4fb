using EdgeAgent.Devices.Camera;
using EdgeAgent.Devices.Input;
using EdgeAgent.Devices.Triggers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Devices.Tests;

public sealed class DevicesRegistrationTests
{
    private static IServiceCollection Register(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCameraInput(configuration);
        return services;
    }

    private static List<Type?> HostedServiceTypes(IServiceCollection services) =>
        services.Where(d => d.ServiceType == typeof(IHostedService))
            .Select(d => d.ImplementationType ?? d.ImplementationFactory?.Method.ReturnType)
            .ToList();

    [Fact]
    public void With_the_camera_off_no_device_is_opened_but_the_queue_is_there_for_commands()
    {
        var services = Register([]);

        Assert.Empty(HostedServiceTypes(services));
        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetRequiredService<CaptureRequestQueue>());
        Assert.Null(provider.GetService<IFrameSource>());
    }

    [Fact]
    public void With_camera_button_and_interval_configured_the_input_and_both_triggers_run()
    {
        var services = Register(new()
        {
            ["Devices:Camera:Enabled"] = "true",
            ["Devices:Camera:ButtonPin"] = "17",
            ["Devices:Camera:IntervalSeconds"] = "60",
        });

        var hosted = HostedServiceTypes(services);
        Assert.Contains(typeof(CameraInput), hosted);
        Assert.Equal(3, hosted.Count);
    }

    [Fact]
    public void A_bad_camera_setting_stops_start_up_naming_the_key()
    {
        var services = Register(new() { ["Devices:Camera:Width"] = "641" });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CameraOptions>>().Value);

        Assert.Contains("Devices:Camera:Width must be even for Yuyv", ex.Message);
    }

    [Fact]
    public void Quality_thresholds_are_read_from_configuration()
    {
        var services = Register(new() { ["Devices:Quality:MinSharpness"] = "0.4" });
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<Quality.FrameQualityOptions>>().Value;

        Assert.Equal(0.4, options.MinSharpness);
    }
}
