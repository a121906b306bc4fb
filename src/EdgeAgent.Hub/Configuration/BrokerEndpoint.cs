namespace EdgeAgent.Hub.Configuration;

/// <summary>An external broker address parsed from <c>Broker:Url</c>: TLS unless the scheme says <c>mqtt://</c>.</summary>
public sealed record BrokerEndpoint(string Host, int Port, bool UseTls)
{
    public static BrokerEndpoint Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new HubConfigurationException($"Broker:Url '{url}' is not a URL like mqtts://host:8883.");
        }
        return uri.Scheme switch
        {
            "mqtts" => new BrokerEndpoint(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 8883 : uri.Port, true),
            "mqtt" => new BrokerEndpoint(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 1883 : uri.Port, false),
            _ => throw new HubConfigurationException($"Broker:Url scheme '{uri.Scheme}' is not mqtts or mqtt."),
        };
    }

    public bool IsLoopback => Host is "localhost" || (System.Net.IPAddress.TryParse(Host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
