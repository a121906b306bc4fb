using System.CommandLine;
using EdgeAgent.Cli;

var root = new RootCommand("edge-agent: CNN-RNN X-ray diagnosis with Grad-CAM at the edge")
{
    RunCommand.Create(),
};

// The host's own lifetime (console or systemd) handles SIGTERM and Ctrl+C; System.CommandLine must not race it.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await root.Parse(args).InvokeAsync(invocation);
