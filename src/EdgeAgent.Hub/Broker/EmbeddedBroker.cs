using System.Net;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace EdgeAgent.Hub.Broker;

/// <summary>
/// The MQTTnet broker inside the hub, so that one machine needs nothing else. It keeps retained messages in memory
/// (devices republish their status at birth) and allows a deep per-client queue so the hub's own subscription never
/// drops a result while storage catches up.
/// </summary>
public sealed class EmbeddedBroker(IPAddress bindAddress, int port, ILogger<EmbeddedBroker> logger) : IAsyncDisposable
{
    private MqttServer? _server;

    public int Port => port;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(bindAddress)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions()
            // MQTTnet drops the oldest queued message for a client beyond this (default 250): far too few for a
            // drain of thousands of queued results from a clinic that just came back online.
            .WithMaxPendingMessagesPerClient(200_000)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.ClientConnectedAsync += e =>
        {
            logger.LogInformation("MQTT client {ClientId} connected from {Endpoint}.", e.ClientId, e.RemoteEndPoint);
            return Task.CompletedTask;
        };
        _server.ClientDisconnectedAsync += e =>
        {
            logger.LogInformation("MQTT client {ClientId} disconnected ({Type}).", e.ClientId, e.DisconnectType);
            return Task.CompletedTask;
        };
        await _server.StartAsync();
        logger.LogInformation("Embedded MQTT broker listening on {Address}:{Port} (plain MQTT).", bindAddress, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            _server.Dispose();
            _server = null;
        }
    }
}
