using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Messaging.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the outbox (section <c>Outbox</c>) and, unless <c>Mqtt:Enabled</c> is false, the MQTT
    /// link, publisher, status, commands and their hosted service (section <c>Mqtt</c>). Both sections
    /// are validated at start-up and reject unknown keys. Register your own <see cref="IDeviceStatusSource"/>
    /// to feed processed/failed/model/provider into the status topic.
    /// </summary>
    public static IServiceCollection AddEdgeAgentMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<OutboxOptions>()
            .Bind(configuration.GetSection(OutboxOptions.SectionName), o => o.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>());
        services.AddOptions<MqttOptions>()
            .Bind(configuration.GetSection(MqttOptions.SectionName), o => o.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>());
        services.TryAddSingleton<OutboxStore>();
        services.TryAddSingleton<IDeviceStatusSource, AssemblyVersionStatusSource>();
        if (configuration.GetValue($"{MqttOptions.SectionName}:{nameof(MqttOptions.Enabled)}", true))
        {
            services.TryAddSingleton<MqttLink>();
            services.TryAddSingleton<ResultPublisher>();
            services.TryAddSingleton<StatusReporter>();
            services.TryAddSingleton<CommandHandler>();
            services.AddHostedService<MessagingService>();
        }
        return services;
    }
}
