using System.CommandLine;
using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>`edge-agent run [--config FILE] [--Section:Key=value ...]`: the service.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "Extra JSON configuration file, read after appsettings.json" };
        config.AcceptExistingOnly();
        var command = new Command("run", "Run the agent: watch the input folder, diagnose each image, write and publish results. " +
                                         "Any setting can follow as --Section:Key=value (e.g. --Input:WatchFolder=/srv/xray).")
        {
            config,
        };
        // Unrecognised tokens are configuration overrides for the host's command-line provider.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = AgentHost.CreateBuilder(new AgentHostSettings
            {
                ConfigFile = parse.GetValue(config)?.FullName,
                CommandLine = [.. parse.UnmatchedTokens],
                UseShippedModel = true,
            });
            using var host = builder.Build();
            return await AgentRunner.RunAsync(host, Console.Error, cancellationToken);
        });
        return command;
    }
}
