using System.CommandLine;
using System.Diagnostics;
using EdgeAgent.Imaging.Phantoms;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edge-agent synth DIR [--count N] [--seed S] [--size PX] [--format png|jpeg|dicom] [--not-chest]</c>:
/// synthetic chest phantoms (covid, pneumonia, normal) with lesion masks and labels.csv. Not clinical data.
/// </summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("DIR") { Description = "Output folder (created if missing); one subfolder per class." };
        var count = new Option<int>("--count") { Description = "Images per class.", DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { Description = "Seed; the same seed gives the same files.", DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--size") { Description = "Width and height in pixels (32-4096).", DefaultValueFactory = _ => 256 };
        var format = new Option<string>("--format") { Description = "Image format.", DefaultValueFactory = _ => "png" };
        format.AcceptOnlyFromAmong("png", "jpeg", "dicom");
        var notChest = new Option<bool>("--not-chest") { Description = "Also write hand, knee, blank and noise inputs under DIR/not-chest (for safety tests)." };
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--count must be zero or more");
            }
        });
        size.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value is < 32 or > 4096)
            {
                r.AddError($"--size must be between 32 and 4096, got {value}");
            }
        });

        var command = new Command("synth", "Write synthetic chest X-ray phantoms with ground-truth lesion masks (NOT clinical data).")
        {
            directory, count, seed, size, format, notChest,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var options = new SyntheticDatasetOptions
            {
                CountPerClass = parseResult.GetValue(count),
                Seed = parseResult.GetValue(seed),
                Size = parseResult.GetValue(size),
                Format = Enum.Parse<SyntheticImageFormat>(parseResult.GetValue(format)!, ignoreCase: true),
            };
            var root = parseResult.GetValue(directory)!.FullName;
            var timer = Stopwatch.StartNew();
            var files = SyntheticDatasetWriter.WriteChests(root, options, cancellationToken);
            Console.WriteLine($"wrote {files.Count} chest phantoms ({options.CountPerClass} per class: {string.Join(", ", PhantomLabels.All)}) to {root} in {timer.Elapsed.TotalSeconds:0.0} s");
            if (parseResult.GetValue(notChest))
            {
                var other = Path.Combine(root, "not-chest");
                var extra = SyntheticDatasetWriter.WriteNonChest(other, options, cancellationToken);
                Console.WriteLine($"wrote {extra.Count} non-chest inputs (hand, knee, blank, noise) to {other}");
            }
            Console.WriteLine("labels.csv lists file,label,seed; <name>.mask.png beside each image marks the lesion. Synthetic phantoms, not clinical data.");
            return Task.FromResult(0);
        });
        return command;
    }
}
