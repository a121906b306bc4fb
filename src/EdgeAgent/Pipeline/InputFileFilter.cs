namespace EdgeAgent.Pipeline;

/// <summary>Which names in the watch folder are inputs: hidden, temporary and partial-download names are not.</summary>
public static class InputFileFilter
{
    private static readonly string[] TemporarySuffixes = [".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", ".filepart", ".error.json"];

    public static bool IsCandidate(string path)
    {
        var name = Path.GetFileName(path);
        if (string.IsNullOrEmpty(name) || name[0] is '.' or '~' || name.EndsWith('~'))
        {
            return false;
        }

        foreach (var suffix in TemporarySuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
