using System.Net;
using System.Net.Sockets;
using MQTTnet.Server;

namespace EdgeAgent.Messaging.Tests.Support;

/// <summary>The MQTTnet broker in-process on a free loopback port.</summary>
internal sealed class EmbeddedBroker : IAsyncDisposable
{
    private EmbeddedBroker(MqttServer server, int port)
    {
        Server = server;
        Port = port;
    }

    public MqttServer Server { get; }

    public int Port { get; }

    public string Url => $"mqtt://127.0.0.1:{Port}";

    public static async Task<EmbeddedBroker> StartAsync(Action<MqttServer>? configure = null)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        configure?.Invoke(server);
        await server.StartAsync();
        return new EmbeddedBroker(server, port);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(new MqttServerStopOptions());
        Server.Dispose();
    }
}
