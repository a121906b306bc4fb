using System.Net;
using Microsoft.Extensions.Configuration;

namespace EdgeAgent.Hub.Configuration;

/// <summary>Reads a JSON configuration file (unknown keys are errors) and validates every value before the hub starts.</summary>
public static class HubOptionsLoader
{
    public static HubOptions Load(string? configFile)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full))
            {
                throw new HubConfigurationException($"Configuration file '{full}' does not exist.");
            }
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        // EDGEHUB_Broker__Url style overrides for containers and systemd units.
        builder.AddEnvironmentVariables("EDGEHUB_");

        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException)
        {
            throw new HubConfigurationException($"Configuration file '{configFile}' is not valid JSON: {ex.Message}", ex);
        }

        var options = new HubOptions();
        try
        {
            configuration.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            throw new HubConfigurationException($"Configuration: {ex.Message}", ex);
        }
        Validate(options);
        return options;
    }

    public static void Validate(HubOptions options)
    {
        var broker = options.Broker;
        if (broker.Mode is not (BrokerOptions.EmbeddedMode or BrokerOptions.ExternalMode))
        {
            throw new HubConfigurationException($"Broker:Mode must be 'embedded' or 'external', not '{broker.Mode}'.");
        }
        if (broker.Mode == BrokerOptions.EmbeddedMode)
        {
            if (!IPAddress.TryParse(broker.BindAddress, out _))
            {
                throw new HubConfigurationException($"Broker:BindAddress '{broker.BindAddress}' is not an IP address.");
            }
            if (broker.Port is < 1 or > 65535)
            {
                throw new HubConfigurationException($"Broker:Port {broker.Port} is outside 1..65535.");
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(broker.Url))
            {
                throw new HubConfigurationException("Broker:Url is required when Broker:Mode is 'external'.");
            }
            _ = BrokerEndpoint.Parse(broker.Url);
            if (broker.CaFile is not null && !File.Exists(broker.CaFile))
            {
                throw new HubConfigurationException($"Broker:CaFile '{broker.CaFile}' does not exist.");
            }
            if (broker.PasswordFile is not null && !File.Exists(broker.PasswordFile))
            {
                throw new HubConfigurationException($"Broker:PasswordFile '{broker.PasswordFile}' does not exist.");
            }
            if (string.IsNullOrWhiteSpace(broker.ShareGroup) || broker.ShareGroup.IndexOfAny(['/', '+', '#']) >= 0)
            {
                throw new HubConfigurationException($"Broker:ShareGroup '{broker.ShareGroup}' must be non-empty without '/', '+' or '#'.");
            }
        }
        if (string.IsNullOrWhiteSpace(broker.ClientId))
        {
            throw new HubConfigurationException("Broker:ClientId must not be empty.");
        }

        if (!Uri.TryCreate(options.Http.Url, UriKind.Absolute, out var http) || http.Scheme is not ("http" or "https"))
        {
            throw new HubConfigurationException($"Http:Url '{options.Http.Url}' is not an absolute http(s) URL.");
        }
        if (options.Http.Token is { Length: < 16 })
        {
            throw new HubConfigurationException("Http:Token is shorter than 16 characters; use a long random token or leave it out to have one generated.");
        }

        var storage = options.Storage;
        if (string.IsNullOrWhiteSpace(storage.DataDirectory))
        {
            throw new HubConfigurationException("Storage:DataDirectory must not be empty.");
        }
        if (storage.Provider is not (StorageOptions.SqliteProvider or StorageOptions.PostgresProvider))
        {
            throw new HubConfigurationException($"Storage:Provider '{storage.Provider}' is not 'sqlite' or 'postgresql'.");
        }
        if (storage.Provider == StorageOptions.PostgresProvider)
        {
            if (string.IsNullOrWhiteSpace(storage.PostgresConnectionString))
            {
                throw new HubConfigurationException("Storage:PostgresConnectionString is required when Storage:Provider is 'postgresql'.");
            }
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(storage.PostgresConnectionString);
            }
            catch (ArgumentException ex)
            {
                // The message names the bad keyword, never the value (it may hold a password).
                throw new HubConfigurationException($"Storage:PostgresConnectionString is not a valid connection string: {ex.Message}", ex);
            }
        }
        if (storage.MaxOverlayBytes <= 0)
        {
            throw new HubConfigurationException($"Storage:MaxOverlayBytes must be positive, not {storage.MaxOverlayBytes}.");
        }

        if (options.Retention.MaxAgeDays < 0 || double.IsNaN(options.Retention.MaxAgeDays))
        {
            throw new HubConfigurationException($"Retention:MaxAgeDays must be 0 (keep forever) or positive, not {options.Retention.MaxAgeDays}.");
        }
        if (!(options.Retention.SweepIntervalMinutes > 0))
        {
            throw new HubConfigurationException($"Retention:SweepIntervalMinutes must be positive, not {options.Retention.SweepIntervalMinutes}.");
        }
    }
}
