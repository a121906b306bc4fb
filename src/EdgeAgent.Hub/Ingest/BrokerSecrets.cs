using EdgeAgent.Hub.Configuration;

namespace EdgeAgent.Hub.Ingest;

/// <summary>Reads the broker password from a file or an environment variable; the value never reaches a log.</summary>
public static class BrokerSecrets
{
    public static string? ReadPassword(BrokerOptions broker)
    {
        if (broker.PasswordFile is not null)
        {
            return File.ReadLines(broker.PasswordFile).FirstOrDefault()?.Trim()
                ?? throw new HubConfigurationException($"Broker:PasswordFile '{broker.PasswordFile}' is empty.");
        }
        if (broker.PasswordEnvironmentVariable is not null)
        {
            return Environment.GetEnvironmentVariable(broker.PasswordEnvironmentVariable)
                ?? throw new HubConfigurationException($"Broker:PasswordEnvironmentVariable names '{broker.PasswordEnvironmentVariable}', which is not set.");
        }
        return null;
    }
}
