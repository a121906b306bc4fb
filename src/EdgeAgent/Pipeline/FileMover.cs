namespace EdgeAgent.Pipeline;

/// <summary>Moves files into a folder without overwriting anything already there.</summary>
internal static class FileMover
{
    /// <summary>Moves <paramref name="path"/> into <paramref name="folder"/>, keeping its name when free, else adding a suffix; returns the new path.</summary>
    public static string MoveInto(string path, string folder, string distinguisher)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var extension = Path.GetExtension(path);
        var target = Path.Combine(folder, name + extension);
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                var suffix = attempt == 1 ? distinguisher : $"{distinguisher}-{attempt}";
                target = Path.Combine(folder, $"{name}.{suffix}{extension}");
            }

            if (File.Exists(target) || File.Exists(target + ".error.json"))
            {
                continue;
            }

            try
            {
                File.Move(path, target, overwrite: false);
                return target;
            }
            catch (IOException) when (File.Exists(target))
            {
                // Another worker took the name in between; try the next one.
            }
        }
    }
}
