namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// A folder of calibration or validation images, read lazily one file at a time (bounded memory). Files are taken
/// recursively in ordinal path order; the first-level sub-folder name is the label when it matches one of the
/// model's labels (case-insensitive), as in an ImageFolder dataset. Decoding and preprocessing are supplied by the
/// caller (the agent uses EdgeAgent.Imaging with the manifest's input spec), so this assembly stays free of image codecs.
/// </summary>
public sealed class CalibrationImageFolder
{
    /// <summary>Extensions the agent decodes.</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".dcm", ".dicom"], StringComparer.OrdinalIgnoreCase);

    private readonly IReadOnlyList<string> labels;
    private readonly Func<string, float[]> load;

    private CalibrationImageFolder(string root, IReadOnlyList<string> files, IReadOnlyList<string> labels, Func<string, float[]> load)
    {
        Root = root;
        Files = files;
        this.labels = labels;
        this.load = load;
    }

    public string Root { get; }

    public IReadOnlyList<string> Files { get; }

    /// <summary>Checks the folder and lists its images; throws <see cref="CalibrationDataException"/> naming the problem.</summary>
    /// <param name="load">Decodes and preprocesses one file into the model's [1, C, H, W] tensor; may throw on a corrupt file.</param>
    /// <param name="maxFiles">Take at most this many files (spread over the sorted list), 0 = all.</param>
    public static CalibrationImageFolder Open(string path, IReadOnlyList<string> labels, Func<string, float[]> load, int maxFiles = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(load);
        var root = Path.GetFullPath(path);
        if (File.Exists(root))
        {
            throw new CalibrationDataException($"'{root}' is a file; give a folder of images.");
        }

        if (!Directory.Exists(root))
        {
            throw new CalibrationDataException($"Image folder '{root}' does not exist.");
        }

        var all = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (all.Count == 0)
        {
            throw new CalibrationDataException($"Image folder '{root}' is empty.");
        }

        var images = all.Where(f => ImageExtensions.Contains(Path.GetExtension(f))).ToList();
        if (images.Count == 0)
        {
            var seen = string.Join(", ", all.Select(Path.GetExtension).Distinct(StringComparer.OrdinalIgnoreCase).Take(8)
                .Select(e => string.IsNullOrEmpty(e) ? "(none)" : e));
            throw new CalibrationDataException(
                $"Image folder '{root}' has {all.Count} file(s) but no images ({string.Join(", ", ImageExtensions)}); found extensions: {seen}.");
        }

        if (maxFiles > 0 && images.Count > maxFiles)
        {
            // Evenly spaced picks so every class folder is represented, not just the first one in sort order.
            images = [.. Enumerable.Range(0, maxFiles).Select(i => images[(int)((long)i * images.Count / maxFiles)])];
        }

        return new CalibrationImageFolder(root, images, labels, load);
    }

    /// <summary>Decodes file after file; a file that cannot be read stops the run with its path and the reason.</summary>
    public IEnumerable<CalibrationSample> Samples()
    {
        foreach (var file in Files)
        {
            float[] tensor;
            try
            {
                tensor = load(file);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new CalibrationDataException($"Cannot use image '{file}': {ex.Message}", ex);
            }

            yield return new CalibrationSample(file, tensor, LabelOf(file));
        }
    }

    private int? LabelOf(string file)
    {
        var relative = Path.GetRelativePath(Root, file);
        var separator = relative.IndexOfAny([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);
        if (separator <= 0)
        {
            return null;
        }

        var folder = relative[..separator];
        for (var k = 0; k < labels.Count; k++)
        {
            if (string.Equals(labels[k], folder, StringComparison.OrdinalIgnoreCase))
            {
                return k;
            }
        }

        return null;
    }
}
