using System.Net;
using EdgeAgent.Hub.Api;
using EdgeAgent.Hub.Broker;
using EdgeAgent.Hub.Configuration;
using EdgeAgent.Hub.Dashboard;
using EdgeAgent.Hub.Ingest;
using EdgeAgent.Hub.Live;
using EdgeAgent.Hub.Retention;
using EdgeAgent.Hub.Security;
using EdgeAgent.Hub.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hub.Hosting;

/// <summary>
/// A running hub: embedded broker (or link to an external one), ingest, store, retention, API and dashboard.
/// <c>edge-hub serve</c>, the bench and the tests all start the hub through <see cref="StartAsync"/>.
/// </summary>
public sealed class HubRuntime : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmbeddedBroker? _broker;
    private readonly ILoggerFactory _brokerLogs;
    private bool _stopped;

    private HubRuntime(WebApplication app, EmbeddedBroker? broker, ILoggerFactory brokerLogs, AccessToken token, Uri address)
    {
        _app = app;
        _broker = broker;
        _brokerLogs = brokerLogs;
        Token = token;
        Address = address;
    }

    public AccessToken Token { get; }

    /// <summary>The HTTP address actually bound (port 0 in the configuration becomes the real port).</summary>
    public Uri Address { get; }

    /// <summary>The embedded broker's port, or null when the hub uses an external broker.</summary>
    public int? BrokerPort => _broker?.Port;

    public IServiceProvider Services => _app.Services;

    public IResultStore Store => _app.Services.GetRequiredService<IResultStore>();

    public IngestStatistics Statistics => _app.Services.GetRequiredService<IngestStatistics>();

    public RetentionSweeper Retention => _app.Services.GetRequiredService<RetentionSweeper>();

    public static async Task<HubRuntime> StartAsync(
        HubOptions options,
        CancellationToken cancellationToken,
        TimeProvider? time = null,
        Action<ILoggingBuilder>? configureLogging = null)
    {
        HubOptionsLoader.Validate(options);
        time ??= TimeProvider.System;
        var dataDirectory = Path.GetFullPath(options.Storage.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var token = AccessToken.Resolve(options.Http, dataDirectory);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = dataDirectory });
        builder.WebHost.UseUrls(options.Http.Url);
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
            // One line per HTTP request is noise on a clinic hub; errors still show.
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        BrokerTarget target;
        EmbeddedBroker? broker = null;
        // The broker starts before the host exists, so it gets its own logger factory, configured the same way.
        var brokerLogs = LoggerFactory.Create(b =>
        {
            if (configureLogging is null)
            {
                b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
            }
            else
            {
                configureLogging(b);
            }
        });
        if (options.Broker.Mode == BrokerOptions.EmbeddedMode)
        {
            var bind = IPAddress.Parse(options.Broker.BindAddress);
            broker = new EmbeddedBroker(bind, options.Broker.Port, brokerLogs.CreateLogger<EmbeddedBroker>());
            try
            {
                await broker.StartAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
            {
                await broker.DisposeAsync();
                brokerLogs.Dispose();
                throw new HubConfigurationException($"Broker:Port {options.Broker.Port} on {bind}: the embedded broker cannot listen ({ex.Message}).", ex);
            }
            var host = bind.Equals(IPAddress.Any) || bind.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : bind.ToString();
            target = new BrokerTarget(host, options.Broker.Port, false);
        }
        else
        {
            var endpoint = BrokerEndpoint.Parse(options.Broker.Url!);
            target = new BrokerTarget(endpoint.Host, endpoint.Port, endpoint.UseTls);
            if (!endpoint.UseTls && !endpoint.IsLoopback)
            {
                brokerLogs.CreateLogger<HubRuntime>().LogWarning(
                    "Broker:Url {Url} is plaintext MQTT to a non-loopback host: results (patient data) cross the network unencrypted.", options.Broker.Url);
            }
        }

        var storage = options.Storage;
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.Retention);
        services.AddSingleton(time);
        services.AddSingleton(token);
        services.AddSingleton(target);
        services.AddSingleton<IResultStore>(_ => storage.Provider == StorageOptions.PostgresProvider
            ? new PostgresResultStore(storage.PostgresConnectionString!)
            : new SqliteResultStore(storage.SqlitePath ?? Path.Combine(dataDirectory, "hub.db")));
        services.AddSingleton(sp => new OverlayFileStore(storage.OverlayDirectory ?? Path.Combine(dataDirectory, "overlays"),
            storage.MaxOverlayBytes, sp.GetRequiredService<ILogger<OverlayFileStore>>()));
        services.AddSingleton<LiveEventHub>();
        services.AddSingleton<IngestStatistics>();
        services.AddSingleton<RetentionSweeper>();
        services.AddSingleton<MqttIngestService>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttIngestService>());
        services.AddHostedService<RetentionService>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

        var app = builder.Build();
        try
        {
            await app.Services.GetRequiredService<IResultStore>().InitializeAsync(cancellationToken);
            app.Services.GetRequiredService<OverlayFileStore>().Initialize();
            app.UseMiddleware<SecurityHeadersMiddleware>();
            app.UseMiddleware<BearerTokenMiddleware>();
            DashboardAssets.Map(app);
            ApiEndpoints.Map(app);
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            if (broker is not null)
            {
                await broker.DisposeAsync();
            }
            brokerLogs.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? options.Http.Url;
        return new HubRuntime(app, broker, brokerLogs, token, new Uri(address));
    }

    /// <summary>Completes once the hub's MQTT client has subscribed (it keeps retrying in the background until then).</summary>
    public Task WaitUntilSubscribedAsync(CancellationToken cancellationToken) =>
        _app.Services.GetRequiredService<MqttIngestService>().Subscribed.WaitAsync(cancellationToken);

    /// <summary>Blocks until the host is asked to stop (Ctrl+C, SIGTERM) or the token is cancelled.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
        _brokerLogs.Dispose();
    }
}
