using System.Security.Cryptography;
using System.Text;
using EdgeAgent.Onnx.Assembly;

namespace EdgeAgent.Models;

/// <summary>
/// Finds the model the demo and `classify` use without configuration, in this order: a ready package under models/
/// (beside the working directory or the executable); the bundled trained head (models/cnn-rnn-resnet18-phantoms, copied
/// next to the executable) joined with the ResNet18 backbone once into a cache folder keyed by the bundle's hash; and,
/// only when neither is available, an UNTRAINED tiny CNN-LSTM fixture written on the fly.
/// </summary>
public static class BundledModel
{
    /// <summary>The folder name of the bundled trained model under models/.</summary>
    public const string BundleName = "cnn-rnn-resnet18-phantoms";

    /// <summary>Resolves the model folder; <paramref name="cacheRoot"/> holds assembled bundles (default: the temp folder).</summary>
    public static string Resolve(TextWriter notices, string? cacheRoot = null, string? backboneDirectory = null) =>
        TryResolveShipped(notices, cacheRoot, backboneDirectory) ?? Fixture(notices);

    /// <summary>
    /// The model the agent ships: a ready package under models/, else the bundled trained head assembled once into
    /// <paramref name="cacheRoot"/>; null when there is neither (never an untrained fixture).
    /// </summary>
    public static string? TryResolveShipped(TextWriter notices, string? cacheRoot = null, string? backboneDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(notices);
        var bundles = new List<string>();
        foreach (var root in Candidates())
        {
            var models = Path.Combine(root, "models");
            if (!Directory.Exists(models))
            {
                continue;
            }

            foreach (var folder in Directory.EnumerateDirectories(models).Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(folder, "manifest.json")) && File.Exists(Path.Combine(folder, "model.onnx")))
                {
                    return folder;
                }

                if (IsBundle(folder))
                {
                    bundles.Add(folder);
                }
            }
        }

        // The executable's own copy comes first in Candidates(), so a published agent uses the bundle it ships with.
        var bundle = bundles.FirstOrDefault(b => Path.GetFileName(b) == BundleName) ?? bundles.FirstOrDefault();
        if (bundle is not null)
        {
            try
            {
                var package = Assemble(bundle, cacheRoot ?? Path.Combine(Path.GetTempPath(), "edge-agent-models"), backboneDirectory, notices);
                notices.WriteLine($"Using the bundled trained model {Path.GetFileName(bundle)} ({package}): trained on synthetic phantoms, not on clinical data; not for diagnosis.");
                return package;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or InvalidDataException or UnauthorizedAccessException or Google.Protobuf.InvalidProtocolBufferException)
            {
                notices.WriteLine($"The bundled model {bundle} could not be assembled ({ex.Message}).");
            }
        }

        return null;
    }

    /// <summary>True when the folder holds a trained head and its manifest template.</summary>
    public static bool IsBundle(string folder) =>
        File.Exists(Path.Combine(folder, BundledModelAssembler.HeadFileName)) && File.Exists(Path.Combine(folder, BundledModelAssembler.ManifestTemplateFileName));

    /// <summary>
    /// Joins the bundle with the ResNet18 backbone into cacheRoot/name-hash, or reuses that folder when an earlier run
    /// made it. The hash covers the bundle's files and the assembler's build, so a changed bundle or a new agent release
    /// (whose assembler may add outputs) gets a fresh package.
    /// </summary>
    public static string Assemble(string bundle, string cacheRoot, string? backboneDirectory, TextWriter notices)
    {
        ArgumentNullException.ThrowIfNull(notices);
        var folder = Path.Combine(cacheRoot, $"{Path.GetFileName(bundle)}-{BundleHash(bundle)}");
        if (File.Exists(Path.Combine(folder, "manifest.json")))
        {
            return folder;
        }

        notices.WriteLine($"Assembling the bundled model {Path.GetFileName(bundle)} with the ResNet18 backbone into {folder} (once) ...");
        Directory.CreateDirectory(cacheRoot);
        // Written beside and renamed into place, so a concurrent process never sees half a package.
        var staging = $"{folder}.{Environment.ProcessId}.tmp";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        BundledModelAssembler.AssembleResNet18(bundle, staging, backboneDirectory);
        MoveIntoPlace(staging, folder);
        return folder;
    }

    /// <summary>
    /// First 16 hex digits of SHA-256 over every file of the bundle but its notes (*.md), by name, and over the module
    /// version id of the assembler (deterministic builds change it only when its code changes).
    /// </summary>
    public static string BundleHash(string bundle)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(typeof(BundledModelAssembler).Assembly.ManifestModule.ModuleVersionId.ToByteArray());
        var files = Directory.GetFiles(bundle).Where(f => !f.EndsWith(".md", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static string Fixture(TextWriter notices)
    {
        var folder = Path.Combine(Path.GetTempPath(), "edge-agent-fixture", "tiny-cnn-lstm-64-seed1");
        if (!File.Exists(Path.Combine(folder, "manifest.json")))
        {
            var staging = $"{folder}.{Environment.ProcessId}.tmp";
            FixturePackages.Write(staging, FixtureKind.Lstm, size: 64);
            MoveIntoPlace(staging, folder);
        }

        notices.WriteLine($"No trained model under models/: using a seeded UNTRAINED tiny CNN-LSTM fixture ({folder}). Its answers are not diagnoses.");
        return folder;
    }

    private static void MoveIntoPlace(string staging, string folder)
    {
        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Another process won the race; its package is the same.
            Directory.Delete(staging, recursive: true);
        }
    }

    private static IEnumerable<string> Candidates()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
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
