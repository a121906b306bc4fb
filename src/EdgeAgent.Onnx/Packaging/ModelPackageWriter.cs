using System.IO.Compression;
using EdgeAgent.Onnx.Graph;
using Onnx;

namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// Writes a model package as a folder or a zip. It fills in the sha256 of model.onnx, validates the manifest
/// against the model exactly as <see cref="ModelPackage.Load"/> will, and only then moves the result into
/// place, so an invalid or half-written package never appears at the target path.
/// </summary>
public sealed class ModelPackageWriter
{
    private readonly ModelManifest manifest;
    private readonly Dictionary<string, Action<string>> extraFiles = new(StringComparer.OrdinalIgnoreCase);
    private Action<string>? writeModel;

    /// <param name="manifest">The manifest; its Sha256 is replaced by the real hash of model.onnx.</param>
    public ModelPackageWriter(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        this.manifest = manifest;
    }

    public ModelPackageWriter WithModel(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        writeModel = target => OnnxModelFile.Save(model, target);
        return this;
    }

    public ModelPackageWriter WithModelFile(string modelPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        var source = Path.GetFullPath(modelPath);
        writeModel = target => File.Copy(source, target);
        return this;
    }

    /// <summary>Adds a file (e.g. "golden/covid-0.png" or "manifest.sig") with the given content.</summary>
    public ModelPackageWriter AddFile(string packagePath, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        AddEntry(packagePath, target => File.WriteAllBytes(target, content));
        return this;
    }

    /// <summary>Adds a copy of a file on disk under <paramref name="packagePath"/>.</summary>
    public ModelPackageWriter AddFileFrom(string packagePath, string sourcePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourcePath);
        var source = Path.GetFullPath(sourcePath);
        AddEntry(packagePath, target => File.Copy(source, target));
        return this;
    }

    /// <summary>Writes the package as a folder, which must not exist yet (or be empty). Returns the manifest written.</summary>
    public ModelManifest WriteFolder(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var target = Path.GetFullPath(directory);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new IOException($"Cannot write the package: '{target}' exists and is not empty.");
        }

        var staging = StagingPath(target);
        try
        {
            var written = Stage(staging);
            if (Directory.Exists(target))
            {
                Directory.Delete(target);
            }

            Directory.Move(staging, target);
            return written;
        }
        finally
        {
            DeleteDirectory(staging);
        }
    }

    /// <summary>Writes the package as a single zip, replacing any file at <paramref name="zipPath"/>. Returns the manifest written.</summary>
    public ModelManifest WriteZip(string zipPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(zipPath);
        var target = Path.GetFullPath(zipPath);
        var staging = StagingPath(target);
        var tempZip = staging + ".zip";
        try
        {
            var written = Stage(staging);
            using (var archive = ZipFile.Open(tempZip, ZipArchiveMode.Create))
            {
                foreach (var file in Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var name = Path.GetRelativePath(staging, file).Replace(Path.DirectorySeparatorChar, '/');
                    // Float weights barely deflate (a few percent), so the model is stored: faster to write and to read.
                    var level = name == ModelPackage.ModelFileName ? CompressionLevel.NoCompression : CompressionLevel.Optimal;
                    archive.CreateEntryFromFile(file, name, level);
                }
            }

            File.Move(tempZip, target, overwrite: true);
            return written;
        }
        finally
        {
            DeleteDirectory(staging);
            if (File.Exists(tempZip))
            {
                File.Delete(tempZip);
            }
        }
    }

    private ModelManifest Stage(string staging)
    {
        if (writeModel is null)
        {
            throw new InvalidOperationException("No model was given (call WithModel or WithModelFile).");
        }

        Directory.CreateDirectory(staging);
        var modelPath = Path.Combine(staging, ModelPackage.ModelFileName);
        writeModel(modelPath);
        var final = manifest with { Sha256 = ModelPackage.ComputeSha256(modelPath) };
        ModelManifestValidator.Validate(final);
        OnnxGraphSummary graph;
        try
        {
            graph = OnnxGraphScanner.Scan(modelPath);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelPackageException(ModelPackage.ModelFileName, null, $"is not a valid ONNX model ({ex.Message})", ex);
        }

        ModelManifestValidator.ValidateAgainstModel(final, graph);
        foreach (var (name, write) in extraFiles)
        {
            var target = PackagePaths.Resolve(staging, name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            write(target);
        }

        for (var i = 0; i < (final.GoldenImages?.Count ?? 0); i++)
        {
            var file = final.GoldenImages![i].File;
            if (!extraFiles.ContainsKey(file))
            {
                throw ModelPackageException.ForField(ModelPackage.ManifestFileName, $"goldenImages[{i}].file",
                    $"'{file}' was not added to the package (AddFile)");
            }
        }

        if (final.Safety?.FeatureDistance is { } distance && !extraFiles.ContainsKey(distance.File))
        {
            throw ModelPackageException.ForField(ModelPackage.ManifestFileName, "safety.featureDistance.file",
                $"'{distance.File}' was not added to the package (AddFile)");
        }

        File.WriteAllBytes(Path.Combine(staging, ModelPackage.ManifestFileName), ModelManifestJson.Serialize(final));
        return final;
    }

    private void AddEntry(string packagePath, Action<string> write)
    {
        if (!PackagePaths.IsSafeRelativePath(packagePath))
        {
            throw new ArgumentException($"'{packagePath}' is not a safe relative package path.", nameof(packagePath));
        }

        if (packagePath.Equals(ModelPackage.ModelFileName, StringComparison.OrdinalIgnoreCase)
            || packagePath.Equals(ModelPackage.ManifestFileName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{packagePath}' is written by the package writer itself.", nameof(packagePath));
        }

        if (!extraFiles.TryAdd(packagePath, write))
        {
            throw new ArgumentException($"'{packagePath}' was already added.", nameof(packagePath));
        }
    }

    private static string StagingPath(string target) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.staging");

    private static void DeleteDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
