using System.CommandLine;
using EdgeAgent.Imaging.Phantoms;

namespace EdgeAgent.Cli;

/// <summary>`edge-agent synth DIR [--count N] [--seed S] [--size PX] [--format png|jpeg|dicom]`: synthetic chest phantoms.</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("DIR") { Description = "Output folder (covid/, pneumonia/, normal/, labels.csv)" };
        var count = new Option<int>("--count") { Description = "Images per class", DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { Description = "Seed; the same seed writes the same images", DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--size") { Description = "Width and height in pixels", DefaultValueFactory = _ => 256 };
        var format = new Option<SyntheticImageFormat>("--format") { Description = "png, jpeg or dicom", DefaultValueFactory = _ => SyntheticImageFormat.Png };
        var command = new Command("synth", "Write synthetic chest X-ray phantoms with lesion masks (test data, not clinical data)")
        {
            directory, count, seed, size, format,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(count) is < 1 or > 100_000)
            {
                result.AddError($"--count must be between 1 and 100000 (got {result.GetValue(count)})");
            }

            if (result.GetValue(size) is < 32 or > 4096)
            {
                result.AddError($"--size must be between 32 and 4096 pixels (got {result.GetValue(size)})");
            }
        });
        command.SetAction((parse, cancellationToken) =>
        {
            var dir = parse.GetValue(directory)!.FullName;
            var options = new SyntheticDatasetOptions
            {
                CountPerClass = parse.GetValue(count),
                Seed = parse.GetValue(seed),
                Size = parse.GetValue(size),
                Format = parse.GetValue(format),
            };
            var written = SyntheticDatasetWriter.WriteChests(dir, options, cancellationToken);
            Console.WriteLine($"Wrote {written.Count} synthetic phantoms ({options.Format}, {options.Size}px, seed {options.Seed}) with lesion masks and labels.csv to {dir}.");
            Console.WriteLine("These are synthetic phantoms for tests and demos, not clinical data.");
            return Task.FromResult(0);
        });
        return command;
    }
}
