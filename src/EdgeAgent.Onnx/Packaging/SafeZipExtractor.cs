using System.IO.Compression;

namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// Extracts a package zip without trusting it: every entry name must be a safe relative path (no traversal,
/// no absolute or drive paths), no symbolic links, no duplicates, at most a set number of entries, and the
/// bytes actually inflated are counted against a cap, so a zip bomb stops at the cap instead of filling the disk.
/// </summary>
public static class SafeZipExtractor
{
    private const int UnixFileTypeMask = 0xF000;
    private const int UnixSymlink = 0xA000;

    /// <summary>Extracts into <paramref name="destination"/>, which must not exist or be empty. Returns the relative paths of the files.</summary>
    public static IReadOnlyList<string> Extract(string zipPath, string destination, int maxEntries, long maxUncompressedBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(zipPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var zipName = Path.GetFileName(zipPath);
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new ArgumentException($"The extraction folder '{destination}' is not empty.", nameof(destination));
        }

        Directory.CreateDirectory(destination);
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelPackageException(zipName, null, $"is not a readable zip file ({ex.Message})", ex);
        }

        using (archive)
        {
            if (archive.Entries.Count > maxEntries)
            {
                throw new ModelPackageException(zipName, null, $"has {archive.Entries.Count} entries; at most {maxEntries} are allowed");
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            long declared = 0;
            foreach (var entry in archive.Entries)
            {
                var name = entry.FullName;
                var isDirectory = name.EndsWith('/') && entry.Length == 0;
                var relative = isDirectory ? name.TrimEnd('/') : name;
                if (!PackagePaths.IsSafeRelativePath(relative))
                {
                    throw new ModelPackageException(name, null,
                        "is not a safe path inside the package (absolute paths, '..', drive letters and backslashes are refused)");
                }

                if (((entry.ExternalAttributes >> 16) & UnixFileTypeMask) == UnixSymlink)
                {
                    throw new ModelPackageException(name, null, "is a symbolic link; links are refused in packages");
                }

                if (!seen.Add(relative))
                {
                    throw new ModelPackageException(name, null, "appears twice in the zip (names are compared ignoring case)");
                }

                declared += entry.Length;
                if (declared > maxUncompressedBytes)
                {
                    throw TooLarge(zipName, maxUncompressedBytes);
                }
            }

            var files = new List<string>();
            long written = 0;
            var buffer = new byte[1 << 16];
            foreach (var entry in archive.Entries)
            {
                var name = entry.FullName;
                if (name.EndsWith('/') && entry.Length == 0)
                {
                    Directory.CreateDirectory(PackagePaths.Resolve(destination, name.TrimEnd('/')));
                    continue;
                }

                var target = PackagePaths.Resolve(destination, name);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                try
                {
                    written += CopyEntry(entry, target, buffer, maxUncompressedBytes - written, zipName, maxUncompressedBytes);
                }
                catch (InvalidDataException ex)
                {
                    throw new ModelPackageException(name, null, $"is damaged in the zip ({ex.Message})", ex);
                }

                files.Add(name);
            }

            return files;
        }
    }

    /// <summary>Copies one entry, counting inflated bytes against its declared length and the remaining budget.</summary>
    private static long CopyEntry(ZipArchiveEntry entry, string target, byte[] buffer, long budget, string zipName, long cap)
    {
        using var source = entry.Open();
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        long count = 0;
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            count += read;
            if (count > entry.Length)
            {
                throw new ModelPackageException(entry.FullName, null, $"inflates past the {entry.Length} bytes its zip header declares");
            }

            if (count > budget)
            {
                throw TooLarge(zipName, cap);
            }

            output.Write(buffer, 0, read);
        }

        return count;
    }

    private static ModelPackageException TooLarge(string zipName, long cap) =>
        new(zipName, null, $"expands to more than {cap} bytes (the uncompressed size cap; a zip bomb or a package that is too large)");
}
