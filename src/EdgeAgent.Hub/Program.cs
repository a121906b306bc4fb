using System.CommandLine;
using EdgeAgent.Hub.Cli;

var root = new RootCommand("edge-hub: receives EdgeAgent results over MQTT, stores them, and serves the API and dashboard.")
{
    ServeCommand.Create(),
    BenchCommand.Create(),
    KeysCommand.Create(),
    ModelPublishCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
