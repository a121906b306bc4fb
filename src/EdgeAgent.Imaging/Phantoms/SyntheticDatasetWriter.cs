using System.Globalization;
using System.Text;
using EdgeAgent.Imaging.Dicom;
using EdgeAgent.Imaging.Png;
using EdgeAgent.Imaging.Decoding;

namespace EdgeAgent.Imaging.Phantoms;

/// <summary>
/// Writes a synthetic data set: DIR/covid, DIR/pneumonia, DIR/normal (or one folder per non-chest
/// kind), a <c>&lt;name&gt;.mask.png</c> beside each image (all zero where there is no lesion) and
/// DIR/labels.csv with <c>file,label,seed</c>. Synthetic phantoms, not clinical data.
/// </summary>
public static class SyntheticDatasetWriter
{
    /// <summary>Chest phantoms of every class; returns the relative paths written, in labels.csv order.</summary>
    public static IReadOnlyList<string> WriteChests(string directory, SyntheticDatasetOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var generator = new PhantomGenerator(options.Size);
        var items = new List<(string Label, Func<ulong, Phantom> Make)>();
        foreach (var phantomClass in Enum.GetValues<PhantomClass>())
        {
            items.Add((PhantomLabels.Of(phantomClass), seed => generator.Generate(phantomClass, seed)));
        }
        return Write(directory, options, items, "CHEST", cancellationToken);
    }

    /// <summary>Hand, knee, blank and noise inputs in folders named after the kind.</summary>
    public static IReadOnlyList<string> WriteNonChest(string directory, SyntheticDatasetOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var generator = new NonChestPhantomGenerator(options.Size);
        var items = new List<(string Label, Func<ulong, Phantom> Make)>();
        foreach (var kind in Enum.GetValues<NonChestKind>())
        {
            items.Add((NonChestPhantomGenerator.LabelOf(kind), seed => generator.Generate(kind, seed)));
        }
        return Write(directory, options, items, null, cancellationToken);
    }

    /// <summary>The seed of image <paramref name="index"/> of a label: distinct per image, stable across runs.</summary>
    public static ulong ImageSeed(ulong datasetSeed, string label, int index)
    {
        ArgumentNullException.ThrowIfNull(label);
        var state = datasetSeed;
        foreach (var ch in label)
        {
            state = (state * 31) + ch;
        }
        state ^= (ulong)index * 0x9E3779B97F4A7C15UL;
        return DeterministicRandom.SplitMix(ref state);
    }

    private static IReadOnlyList<string> Write(string directory, SyntheticDatasetOptions options, List<(string Label, Func<ulong, Phantom> Make)> items, string? bodyPart, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.CountPerClass);
        Directory.CreateDirectory(directory);
        var csv = new StringBuilder("file,label,seed\n");
        var written = new List<string>();
        var extension = options.Format switch { SyntheticImageFormat.Jpeg => ".jpg", SyntheticImageFormat.Dicom => ".dcm", _ => ".png" };
        foreach (var (label, make) in items)
        {
            Directory.CreateDirectory(Path.Combine(directory, label));
            var rows = new string[options.CountPerClass];
            // Images are independent (each has its own seed), so they are made in parallel and listed in order.
            Parallel.For(0, options.CountPerClass, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                var seed = ImageSeed(options.Seed, label, i);
                var phantom = make(seed);
                var name = $"{label}-{i:D5}";
                File.WriteAllBytes(Path.Combine(directory, label, name + extension), Encode(phantom, options, bodyPart ?? label.ToUpperInvariant()));
                File.WriteAllBytes(Path.Combine(directory, label, name + ".mask.png"), PngWriter.WriteGray8(phantom.Image.Width, phantom.Image.Height, phantom.Mask));
                rows[i] = string.Create(CultureInfo.InvariantCulture, $"{label}/{name}{extension},{label},{seed}");
            });
            foreach (var row in rows)
            {
                csv.Append(row).Append('\n');
                written.Add(row[..row.IndexOf(',', StringComparison.Ordinal)]);
            }
        }
        File.WriteAllText(Path.Combine(directory, "labels.csv"), csv.ToString());
        return written;
    }

    private static byte[] Encode(Phantom phantom, SyntheticDatasetOptions options, string bodyPart)
    {
        switch (options.Format)
        {
            case SyntheticImageFormat.Dicom:
                var attributes = new DicomAttributes
                {
                    StudyInstanceUid = Uid(phantom.Seed, 1),
                    SeriesInstanceUid = Uid(phantom.Seed, 2),
                    SopInstanceUid = Uid(phantom.Seed, 3),
                    Modality = "DX",
                    BodyPartExamined = bodyPart,
                    ViewPosition = bodyPart == "CHEST" ? "PA" : null,
                };
                return DicomWriter.WriteImage(phantom.Image, DicomTransferSyntax.ExplicitVrLittleEndian, attributes);
            case SyntheticImageFormat.Jpeg:
                return JpegEncoder.Encode(phantom.Image, options.JpegQuality);
            default:
                return PngWriter.Write(phantom.Image);
        }
    }

    /// <summary>A UID under the 2.25 root (UUID-derived form), deterministic from the seed.</summary>
    private static string Uid(ulong seed, int part)
    {
        var state = seed + (ulong)part;
        var high = DeterministicRandom.SplitMix(ref state) >> 1;
        var low = DeterministicRandom.SplitMix(ref state);
        var value = (new System.Numerics.BigInteger(high) << 64) + low;
        return "2.25." + value.ToString(CultureInfo.InvariantCulture);
    }
}
