using EdgeAgent.Messaging.Link;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Tests.ModelUpdates;

/// <summary>Real MQTT links (hub and devices) with fast reconnects, for the update tests.</summary>
internal static class UpdateLinks
{
    public const string Site = "clinic7";

    public static async Task<MqttLink> StartAsync(string url, string clientId)
    {
        var link = new MqttLink(Options.Create(new MqttOptions
        {
            Url = url,
            Site = Site,
            DeviceId = clientId,
            ClientId = clientId,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            OperationTimeout = TimeSpan.FromSeconds(5),
            KeepAlive = TimeSpan.FromSeconds(5),
        }), NullLogger<MqttLink>.Instance, TimeProvider.System);
        await link.StartAsync(CancellationToken.None);
        await link.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        return link;
    }

    /// <summary>A file of pseudo-random bytes (incompressible, like a zipped model).</summary>
    public static string WritePackage(string path, int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        File.WriteAllBytes(path, data);
        return path;
    }
}
