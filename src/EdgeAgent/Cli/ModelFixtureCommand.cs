using System.CommandLine;
using EdgeAgent.Models;

namespace EdgeAgent.Cli;

/// <summary>`edge-agent model fixture --out DIR [--kind lstm|gru|gap|vgg19] [--size PX] [--seed S] [--no-cam]`.</summary>
internal static class ModelFixtureCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Package folder to write", Required = true };
        var kind = new Option<FixtureKind>("--kind") { Description = "lstm, gru, gap (tiny) or vgg19 (paper-shaped, ~570 MB)", DefaultValueFactory = _ => FixtureKind.Lstm };
        var size = new Option<int>("--size") { Description = "Input size of the tiny fixtures (multiple of 4)", DefaultValueFactory = _ => 64 };
        var seed = new Option<ulong>("--seed") { Description = "Weight seed", DefaultValueFactory = _ => 1 };
        var noCam = new Option<bool>("--no-cam") { Description = "Leave out the Grad-CAM subgraph" };
        var command = new Command("fixture", "Write a seeded UNTRAINED model package for tests, demos and benchmarks") { output, kind, size, seed, noCam };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(output)!.FullName;
            var manifest = FixturePackages.Write(folder, parse.GetValue(kind), parse.GetValue(size), parse.GetValue(seed), withCam: !parse.GetValue(noCam));
            Console.WriteLine($"Wrote {manifest.Name} {manifest.Version} to {folder} (input {manifest.Input.Width}x{manifest.Input.Height}, " +
                              $"CAM output: {manifest.Outputs.Cam ?? "none"}). UNTRAINED: not a diagnostic model.");
            return 0;
        });
        return command;
    }
}
