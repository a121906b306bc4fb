namespace EdgeAgent.Cli;

/// <summary>A one-line progress bar on stderr (stdout stays the report); reports arrive synchronously on the caller's thread.</summary>
internal sealed class ConsoleProgressBar(TextWriter error, string what, int total) : IProgress<int>
{
    public void Report(int value)
    {
        const int width = 30;
        var filled = total > 0 ? Math.Min(width, value * width / total) : width;
        error.Write($"\r{what} [{new string('#', filled)}{new string('.', width - filled)}] {value}/{total}");
    }
}
