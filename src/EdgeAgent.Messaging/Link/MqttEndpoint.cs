using System.Net;

namespace EdgeAgent.Messaging.Link;

/// <summary>The broker address parsed from <see cref="MqttOptions.Url"/>.</summary>
public sealed record MqttEndpoint(string Host, int Port, bool UseTls)
{
    public const int DefaultTlsPort = 8883;
    public const int DefaultPlainPort = 1883;

    /// <summary>True when the broker is on this machine, where plaintext does not cross a wire.</summary>
    public bool IsLoopback =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>Parses <c>mqtts://host[:port]</c> or <c>mqtt://host[:port]</c>; the error names the key.</summary>
    public static bool TryParse(string? url, out MqttEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        error = null;
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            error = $"Mqtt:Url '{url}' is not a URL; expected mqtts://host:8883 or mqtt://host:1883";
            return false;
        }
        bool tls;
        switch (uri.Scheme)
        {
            case "mqtts":
                tls = true;
                break;
            case "mqtt":
                tls = false;
                break;
            default:
                error = $"Mqtt:Url scheme '{uri.Scheme}' is not supported; use mqtts:// (TLS) or mqtt:// (plaintext)";
                return false;
        }
        if (string.IsNullOrEmpty(uri.Host))
        {
            error = $"Mqtt:Url '{url}' has no host";
            return false;
        }
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? DefaultTlsPort : DefaultPlainPort) : uri.Port;
        endpoint = new MqttEndpoint(uri.Host, port, tls);
        return true;
    }

    public override string ToString() => $"{(UseTls ? "mqtts" : "mqtt")}://{Host}:{Port}";
}
