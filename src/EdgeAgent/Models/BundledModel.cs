namespace EdgeAgent.Models;

/// <summary>
/// Finds the model the demo and `classify` use without configuration: the first package under models/ (beside the
/// working directory or the executable); when there is none yet, an UNTRAINED tiny CNN-LSTM fixture written on the fly.
/// </summary>
public static class BundledModel
{
    public static string Resolve(TextWriter notices)
    {
        ArgumentNullException.ThrowIfNull(notices);
        foreach (var root in Candidates())
        {
            var models = Path.Combine(root, "models");
            if (!Directory.Exists(models))
            {
                continue;
            }

            var package = Directory.EnumerateDirectories(models).Order(StringComparer.Ordinal)
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "manifest.json")) && File.Exists(Path.Combine(d, "model.onnx")));
            if (package is not null)
            {
                return package;
            }
        }

        var folder = Path.Combine(Path.GetTempPath(), "edge-agent-fixture", "tiny-cnn-lstm-64-seed1");
        if (!File.Exists(Path.Combine(folder, "manifest.json")))
        {
            // Written beside and renamed into place, so a concurrent process never sees half a package.
            var staging = $"{folder}.{Environment.ProcessId}.tmp";
            FixturePackages.Write(staging, FixtureKind.Lstm, size: 64);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        notices.WriteLine($"No trained model under models/: using a seeded UNTRAINED tiny CNN-LSTM fixture ({folder}). Its answers are not diagnoses.");
        return folder;
    }

    private static IEnumerable<string> Candidates()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            // Up to the repository root (bin/Release/net10.0 sits a few levels below it), no further.
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (seen.Add(dir.FullName))
                {
                    yield return dir.FullName;
                }

                if (File.Exists(Path.Combine(dir.FullName, "EdgeAgent.sln")))
                {
                    break;
                }
            }
        }
    }
}
