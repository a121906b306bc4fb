using System.CommandLine;
using EdgeAgent.Hub.Configuration;
using EdgeAgent.Hub.Hosting;

namespace EdgeAgent.Hub.Cli;

/// <summary><c>edge-hub serve [--config FILE]</c>: runs the hub until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "JSON configuration file (see docs/hub.md); defaults apply without one." };
        var command = new Command("serve", "Start the hub: embedded MQTT broker (or external), storage, HTTP API and dashboard.") { config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            HubOptions options;
            try
            {
                options = HubOptionsLoader.Load(parse.GetValue(config)?.FullName);
            }
            catch (HubConfigurationException ex)
            {
                Console.Error.WriteLine($"edge-hub: {ex.Message}");
                return 2;
            }
            HubRuntime hub;
            try
            {
                hub = await HubRuntime.StartAsync(options, cancellationToken);
            }
            catch (HubConfigurationException ex)
            {
                Console.Error.WriteLine($"edge-hub: {ex.Message}");
                return 2;
            }
            await using (hub)
            {
                Console.WriteLine($"edge-hub: dashboard and API at {hub.Address}");
                Console.WriteLine(hub.BrokerPort is { } port
                    ? $"edge-hub: embedded MQTT broker on {options.Broker.BindAddress}:{port}"
                    : $"edge-hub: using broker {options.Broker.Url}");
                if (hub.Token.WasGenerated)
                {
                    // Printed once, on the terminal only (not through the logger); kept in the token file for later.
                    Console.WriteLine($"edge-hub: generated API token (shown once, stored in {hub.Token.File}):");
                    Console.WriteLine(hub.Token.Value);
                }
                else if (hub.Token.File is not null)
                {
                    Console.WriteLine($"edge-hub: API token in {hub.Token.File}");
                }
                await hub.WaitForShutdownAsync(cancellationToken);
            }
            return 0;
        });
        return command;
    }
}
