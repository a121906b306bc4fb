namespace EdgeAgent.Training.Data;

/// <summary>
/// An image-folder dataset: ROOT/covid, ROOT/pneumonia, ROOT/normal hold the images (PNG, JPEG,
/// DICOM). An optional ROOT/labels.csv with a header gives each file a source id (column
/// "source", "source_id", "group" or "patient"), so augmented copies of one image stay together.
/// A file "NAME.mask.png" next to an image is its lesion mask.
/// </summary>
public sealed class ImageFolderDataset
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".dcm", ".dicom" };
    /// <summary>True for an image file the dataset reads (by extension), false for lesion masks ("NAME.mask.png") and anything else.</summary>
    public static bool IsImageFile(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path)) && !Path.GetFileName(path).Contains(".mask.", StringComparison.OrdinalIgnoreCase);

    private static readonly string[] FileColumns = ["file", "path", "filename", "image"];
    private static readonly string[] SourceColumns = ["source", "source_id", "sourceid", "group", "patient", "patient_id"];

    private ImageFolderDataset(string root, IReadOnlyList<ImageSample> samples)
    {
        Root = root;
        Samples = samples;
    }

    public string Root { get; }

    public IReadOnlyList<ImageSample> Samples { get; }

    public int CountOf(int label) => Samples.Count(s => s.Label == label);

    public static ImageFolderDataset Load(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Dataset folder '{root}' does not exist.");
        }

        var missing = ClassOrder.Labels.Where(l => !Directory.Exists(Path.Combine(root, l))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Dataset '{root}' lacks the class folder(s) {string.Join(", ", missing)}; it needs one subfolder per class: {string.Join(", ", ClassOrder.Labels)}.");
        }

        var sources = ReadSourceIds(root);
        var samples = new List<ImageSample>();
        for (var label = 0; label < ClassOrder.Count; label++)
        {
            var folder = Path.Combine(root, ClassOrder.Labels[label]);
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                if (!IsImageFile(file))
                {
                    continue;
                }

                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                var mask = Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileNameWithoutExtension(file) + ".mask.png");
                var source = sources.TryGetValue(relative, out var id) || sources.TryGetValue(name, out id) ? id : relative;
                samples.Add(new ImageSample(relative, file, label, source, File.Exists(mask) ? mask : null));
            }
        }

        var empty = ClassOrder.Labels.Where((_, i) => samples.All(s => s.Label != i)).ToList();
        if (empty.Count > 0)
        {
            throw new InvalidOperationException($"Dataset '{root}': no images in class folder(s) {string.Join(", ", empty)} (PNG, JPEG or DICOM expected).");
        }

        return new ImageFolderDataset(root, samples);
    }

    /// <summary>Reads labels.csv (if any) into relative path (or file name) to source id.</summary>
    private static Dictionary<string, string> ReadSourceIds(string root)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Path.Combine(root, "labels.csv");
        if (!File.Exists(path))
        {
            return map;
        }

        var lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            return map;
        }

        var header = lines[0].Split(',').Select(h => h.Trim().Trim('"').ToLowerInvariant()).ToList();
        var fileColumn = header.FindIndex(FileColumns.Contains);
        var sourceColumn = header.FindIndex(SourceColumns.Contains);
        if (fileColumn < 0)
        {
            throw new InvalidOperationException($"{path}: header '{lines[0]}' has no file column (one of {string.Join(", ", FileColumns)}).");
        }

        if (sourceColumn < 0)
        {
            return map;
        }

        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var cells = lines[i].Split(',').Select(c => c.Trim().Trim('"')).ToArray();
            if (cells.Length <= Math.Max(fileColumn, sourceColumn))
            {
                throw new InvalidOperationException($"{path}, line {i + 1}: expected at least {Math.Max(fileColumn, sourceColumn) + 1} columns.");
            }

            map[cells[fileColumn].Replace('\\', '/')] = cells[sourceColumn];
        }

        return map;
    }
}
