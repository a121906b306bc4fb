using System.Diagnostics;

namespace EdgeAgent.Training.Training;

/// <summary>A one-line progress bar with loss, accuracy and ETA, redrawn in place on a terminal.</summary>
public sealed class ProgressBar
{
    private readonly TextWriter writer;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly int totalSteps;
    private int done;

    public ProgressBar(TextWriter writer, int totalSteps)
    {
        this.writer = writer;
        this.totalSteps = Math.Max(1, totalSteps);
    }

    public void Step(string label, double loss, double accuracy)
    {
        done++;
        var fraction = (double)done / totalSteps;
        var eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / fraction * (1 - fraction));
        const int Width = 24;
        var filled = (int)(fraction * Width);
        writer.Write($"\r{label} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0} loss {loss:F4} acc {accuracy:F3} ETA {eta:mm\\:ss} ");
        if (done == totalSteps)
        {
            writer.WriteLine();
        }
    }

    public void Line(string text) => writer.WriteLine($"\r{text}");
}
