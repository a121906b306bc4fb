using System.CommandLine;
using EdgeAgent.Cli;

var model = new Command("model", "Model packages: prepare, quantize, inspect, write fixtures")
{
    ModelPrepareCommand.Create(),
    ModelQuantizeCommand.Create(),
    ModelConvertCommand.Create(),
    ModelInspectCommand.Create(),
    ModelFixtureCommand.Create(),
};

var root = new RootCommand("edge-agent: CNN-RNN X-ray diagnosis with Grad-CAM at the edge")
{
    RunCommand.Create(),
    ClassifyCommand.Create(),
    SynthCommand.Create(),
    DemoCommand.Create(),
    model,
    OutboxCommand.Create(),
    BenchCommand.Create(BenchCamCommand.Create(), BenchPrecisionCommand.Create(), BenchFidelityCommand.Create(), BenchMemoryProbeCommand.Create()),
};

// The host's own lifetime (console or systemd) handles SIGTERM and Ctrl+C; System.CommandLine must not race it.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await root.Parse(args).InvokeAsync(invocation);
