using System.Security.Cryptography;
using EdgeAgent.Onnx.Graph;

namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// A loaded and fully validated model package: a folder or a .zip holding model.onnx, manifest.json,
/// optional golden/ images and an optional detached signature (manifest.sig). Loading checks every manifest
/// field, the sha256 of model.onnx, and that the manifest's tensor names exist in the model; any failure is a
/// <see cref="ModelPackageException"/> naming the file and field. A zip is extracted (safely) to a folder;
/// disposing the package deletes that folder when the package created it.
/// </summary>
public sealed class ModelPackage : IDisposable
{
    public const string ModelFileName = "model.onnx";
    public const string ManifestFileName = ModelManifestJson.FileName;

    /// <summary>Detached signature over the exact bytes of manifest.json (which carries the model's sha256).
    /// Loading only reads it; the model-update path verifies it against trusted keys.</summary>
    public const string SignatureFileName = "manifest.sig";

    private readonly string? ownedDirectory;

    private ModelPackage(
        string sourcePath, string directory, string? ownedDirectory, bool isZip, ModelManifest manifest,
        SemanticVersion version, OnnxGraphSummary graph, IReadOnlyList<string> files, FeatureStatistics? featureStatistics)
    {
        FeatureStatistics = featureStatistics;
        SourcePath = sourcePath;
        DirectoryPath = directory;
        this.ownedDirectory = ownedDirectory;
        IsZip = isZip;
        Manifest = manifest;
        Version = version;
        Graph = graph;
        Files = files;
    }

    /// <summary>Statistics for the Mahalanobis feature-distance OOD score (safety.featureDistance); null when the package has none.</summary>
    public FeatureStatistics? FeatureStatistics { get; }

    /// <summary>The folder or zip the package was loaded from.</summary>
    public string SourcePath { get; }

    /// <summary>The folder holding the package files (the source folder, or where the zip was extracted).</summary>
    public string DirectoryPath { get; }

    /// <summary>True when the package was a zip (extracted to <see cref="DirectoryPath"/>).</summary>
    public bool IsZip { get; }

    public ModelManifest Manifest { get; }

    public SemanticVersion Version { get; }

    /// <summary>Inputs, outputs and op counts of model.onnx, read without loading its weights.</summary>
    public OnnxGraphSummary Graph { get; }

    /// <summary>Relative paths ('/'-separated) of every file in the package.</summary>
    public IReadOnlyList<string> Files { get; }

    public string ModelPath => Path.Combine(DirectoryPath, ModelFileName);

    public string ManifestPath => Path.Combine(DirectoryPath, ManifestFileName);

    /// <summary>Path of manifest.sig, or null when the package carries no signature.</summary>
    public string? SignaturePath => Files.Contains(SignatureFileName) ? Path.Combine(DirectoryPath, SignatureFileName) : null;

    /// <summary>Absolute path of a file inside the package (e.g. a golden image), refusing paths that leave it.</summary>
    public string ResolveFile(string relativePath) => PackagePaths.Resolve(DirectoryPath, relativePath);

    public static ModelPackage Load(string path, ModelPackageLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new ModelPackageLoadOptions();
        var source = Path.GetFullPath(path);
        string? owned = null;
        try
        {
            string directory;
            IReadOnlyList<string> files;
            if (Directory.Exists(source))
            {
                directory = source;
                files = ListFiles(directory);
            }
            else if (File.Exists(source))
            {
                if (options.ExtractDirectory is null)
                {
                    owned = Path.Combine(Path.GetTempPath(), $"edgeagent-package-{Guid.NewGuid():N}");
                }

                directory = Path.GetFullPath(options.ExtractDirectory ?? owned!);
                SafeZipExtractor.Extract(source, directory, options.MaxEntries, options.MaxUncompressedBytes);
                files = ListFiles(directory);
            }
            else
            {
                throw new ModelPackageException(Path.GetFileName(source), null, "does not exist (expected a package folder or .zip)");
            }

            var (manifest, version, graph) = Validate(directory, files);
            var statistics = LoadFeatureStatistics(directory, files, manifest, graph);
            return new ModelPackage(source, directory, owned, !string.Equals(source, directory, StringComparison.Ordinal),
                manifest, version, graph, files, statistics);
        }
        catch (Exception ex)
        {
            DeleteQuietly(owned);
            if (ex is ModelPackageException packageError)
            {
                throw packageError.WithPackage(source);
            }

            if (ex is IOException or UnauthorizedAccessException)
            {
                throw new ModelPackageException(Path.GetFileName(source), null, $"could not be read ({ex.Message})", ex) { PackagePath = source };
            }

            throw;
        }
    }

    /// <summary>Lower-case hex sha256 of a file, streamed.</summary>
    public static string ComputeSha256(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public void Dispose() => DeleteQuietly(ownedDirectory);

    private static (ModelManifest Manifest, SemanticVersion Version, OnnxGraphSummary Graph) Validate(string directory, IReadOnlyList<string> files)
    {
        if (!files.Contains(ManifestFileName))
        {
            var nested = files.FirstOrDefault(f => f.EndsWith("/" + ManifestFileName, StringComparison.Ordinal));
            var hint = nested is null
                ? string.Empty
                : $" (found {nested}: put the package files at the top level, e.g. zip the folder's contents rather than the folder)";
            throw new ModelPackageException(ManifestFileName, null, $"is missing from the package{hint}");
        }

        var manifestInfo = new FileInfo(Path.Combine(directory, ManifestFileName));
        if (manifestInfo.Length > ModelManifestJson.MaxBytes)
        {
            throw new ModelPackageException(ManifestFileName, null, $"is {manifestInfo.Length} bytes; at most {ModelManifestJson.MaxBytes} are allowed");
        }

        var manifest = ModelManifestJson.Deserialize(File.ReadAllBytes(manifestInfo.FullName));
        ModelManifestValidator.Validate(manifest);
        var version = SemanticVersion.Parse(manifest.Version);

        if (!files.Contains(ModelFileName))
        {
            throw new ModelPackageException(ModelFileName, null, "is missing from the package");
        }

        var modelPath = Path.Combine(directory, ModelFileName);
        var actual = ComputeSha256(modelPath);
        if (!string.Equals(actual, manifest.Sha256, StringComparison.Ordinal))
        {
            throw ModelPackageException.ForField(ManifestFileName, "sha256",
                $"does not match model.onnx (manifest {manifest.Sha256}, file {actual}): the model was changed or damaged");
        }

        OnnxGraphSummary graph;
        try
        {
            graph = OnnxGraphScanner.Scan(modelPath);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelPackageException(ModelFileName, null, $"is not a valid ONNX model ({ex.Message})", ex);
        }

        ModelManifestValidator.ValidateAgainstModel(manifest, graph);

        for (var i = 0; i < (manifest.GoldenImages?.Count ?? 0); i++)
        {
            var golden = manifest.GoldenImages![i];
            if (!files.Contains(golden.File))
            {
                throw ModelPackageException.ForField(ManifestFileName, $"goldenImages[{i}].file", $"'{golden.File}' is not in the package");
            }
        }

        return (manifest, version, graph);
    }

    /// <summary>Reads safety.featureDistance's side file after checking its sha256 and that its shape fits the model.</summary>
    private static FeatureStatistics? LoadFeatureStatistics(string directory, IReadOnlyList<string> files, ModelManifest manifest, OnnxGraphSummary graph)
    {
        if (manifest.Safety?.FeatureDistance is not { } spec)
        {
            return null;
        }

        const string Field = "safety.featureDistance.file";
        if (!files.Contains(spec.File))
        {
            throw ModelPackageException.ForField(ManifestFileName, Field, $"'{spec.File}' is not in the package");
        }

        var path = PackagePaths.Resolve(directory, spec.File);
        var actual = ComputeSha256(path);
        if (!string.Equals(actual, spec.Sha256, StringComparison.Ordinal))
        {
            throw ModelPackageException.ForField(ManifestFileName, "safety.featureDistance.sha256",
                $"does not match {spec.File} (manifest {spec.Sha256}, file {actual}): the statistics were changed or damaged");
        }

        FeatureStatistics statistics;
        try
        {
            statistics = FeatureStatistics.Parse(File.ReadAllBytes(path), spec.File);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelPackageException(spec.File, null, ex.Message, ex);
        }

        if (statistics.Classes != manifest.Labels.Count)
        {
            throw ModelPackageException.ForField(ManifestFileName, Field,
                $"'{spec.File}' holds {statistics.Classes} class means; the manifest lists {manifest.Labels.Count} labels");
        }

        var output = graph.Outputs.FirstOrDefault(o => o.Name == manifest.Outputs.Features);
        if (output?.Shape is { Count: 2 } shape && shape[1]?.Value is { } width && width != statistics.Dimensions)
        {
            throw ModelPackageException.ForField(ManifestFileName, Field,
                $"'{spec.File}' has {statistics.Dimensions} dimensions; model output '{manifest.Outputs.Features}' has {width}");
        }

        return statistics;
    }

    private static string[] ListFiles(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];

    private static void DeleteQuietly(string? directory)
    {
        if (directory is null)
        {
            return;
        }

        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open elsewhere (e.g. a session on Windows); the temp folder is left for the OS to clean.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
