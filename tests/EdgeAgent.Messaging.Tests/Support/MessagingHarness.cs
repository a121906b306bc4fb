using EdgeAgent.Messaging.Link;
using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Messaging.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Tests.Support;

/// <summary>
/// The messaging side of an agent, in-process, registered exactly as the agent does
/// (<c>AddEdgeAgentMessaging</c> over configuration), with fast reconnects for tests.
/// </summary>
internal sealed class MessagingHarness : IAsyncDisposable
{
    public const string Site = "clinic1";
    public const string Device = "dev1";

    private readonly ServiceProvider _services;
    private IHostedService? _service;

    public MessagingHarness(string dataDirectory, string url, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Outbox:Path"] = Path.Combine(dataDirectory, "outbox.db"),
            ["Mqtt:Url"] = url,
            ["Mqtt:Site"] = Site,
            ["Mqtt:DeviceId"] = Device,
            ["Mqtt:ReconnectMinDelay"] = "00:00:00.100",
            ["Mqtt:ReconnectMaxDelay"] = "00:00:01",
            ["Mqtt:OperationTimeout"] = "00:00:05",
            ["Mqtt:KeepAlive"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Information));
        configure?.Invoke(services);
        services.AddEdgeAgentMessaging(configuration);
        _services = services.BuildServiceProvider();
    }

    public CollectingLoggerProvider Logs { get; } = new();

    public OutboxStore Outbox => _services.GetRequiredService<OutboxStore>();

    public MqttLink Link => _services.GetRequiredService<MqttLink>();

    public ResultPublisher Publisher => _services.GetRequiredService<ResultPublisher>();

    public StatusReporter Status => _services.GetRequiredService<StatusReporter>();

    public MqttOptions Options => _services.GetRequiredService<IOptions<MqttOptions>>().Value;

    public async Task StartAsync()
    {
        _service = _services.GetServices<IHostedService>().OfType<MessagingService>().Single();
        await _service.StartAsync(CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (_service is not null)
        {
            await _service.StopAsync(CancellationToken.None);
            _service = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
    }
}
