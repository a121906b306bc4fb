namespace EdgeAgent.Onnx.Packaging;

/// <summary>Rules for paths inside a model package (zip entry names and manifest file references).</summary>
public static class PackagePaths
{
    public const int MaxLength = 260;

    /// <summary>
    /// True for a relative path of '/'-separated, non-empty segments that cannot leave the package:
    /// no leading '/', no drive or ':' (Windows and alternate streams), no backslash, no "." or ".." segment,
    /// no control characters.
    /// </summary>
    public static bool IsSafeRelativePath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > MaxLength)
        {
            return false;
        }

        if (path[0] == '/' || path.Contains('\\', StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal)
            || path.Any(char.IsControl))
        {
            return false;
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.Trim().Length == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Resolves a safe relative path under <paramref name="root"/>, refusing anything that would land outside it.</summary>
    public static string Resolve(string root, string relativePath)
    {
        if (!IsSafeRelativePath(relativePath))
        {
            throw new ArgumentException($"'{relativePath}' is not a safe relative package path.", nameof(relativePath));
        }

        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(fullRoot, relativePath.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(fullRoot, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{relativePath}' resolves outside the package.", nameof(relativePath));
        }

        return full;
    }
}
