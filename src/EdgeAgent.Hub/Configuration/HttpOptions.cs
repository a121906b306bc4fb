namespace EdgeAgent.Hub.Configuration;

/// <summary>The HTTP API and dashboard endpoint and how it is protected.</summary>
public sealed class HttpOptions
{
    /// <summary>Listen URL. Loopback by default: the API serves patient data.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Bearer token given inline. Prefer <see cref="TokenFile"/>; neither set means one is generated at first start.</summary>
    public string? Token { get; set; }

    /// <summary>File holding the bearer token; created (mode 600) with a fresh token when it does not exist. Default: DataDirectory/hub-token.</summary>
    public string? TokenFile { get; set; }
}
