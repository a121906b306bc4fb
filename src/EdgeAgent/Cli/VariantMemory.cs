using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Onnx.Graph;
using Onnx;

namespace EdgeAgent.Cli;

/// <summary>Peak and final resident memory of one child process that loaded and ran one variant.</summary>
internal sealed record VariantMemoryMeasurement(string Label, double PeakRssMb, double RssMb);

/// <summary>
/// Peak memory per model variant, measured honestly: inside one process the figures would be entangled (ONNX
/// Runtime's arena keeps what an earlier variant grew, the GC heap holds the parent's models, and VmHWM never goes
/// down), so each variant is written to a temporary file and loaded and run by a fresh child process of this same
/// binary (`bench memory-probe`), which reports its own VmHWM (peak resident set) and VmRSS at the end. A "baseline"
/// child loads only ONNX Runtime, so what a model adds is the difference. Linux only (/proc).
/// </summary>
internal static class VariantMemory
{
    public const string BaselineLabel = "baseline (runtime, no model)";

    public static IReadOnlyList<VariantMemoryMeasurement> Measure(
        IReadOnlyList<(string Label, ModelProto Model)> variants, long[] inputShape, int runs, int threads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var folder = Directory.CreateTempSubdirectory("edge-agent-memory-").FullName;
        try
        {
            var shape = string.Join(',', inputShape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            var results = new List<VariantMemoryMeasurement> { Probe(BaselineLabel, "none", shape, runs, threads, cancellationToken) };
            for (var v = 0; v < variants.Count; v++)
            {
                var path = Path.Combine(folder, $"{v}.onnx");
                OnnxModelFile.Save(variants[v].Model, path);
                results.Add(Probe(variants[v].Label, path, shape, runs, threads, cancellationToken));
                File.Delete(path);
            }

            return results;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Prints the table; the explanation says what the numbers are.</summary>
    public static void Print(IReadOnlyList<VariantMemoryMeasurement> rows, int runs, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"  peak memory: one child process per variant (`edge-agent bench {BenchMemoryProbeCommand.Name}`) loads it, runs it {runs}x, reports its VmHWM");
        output.WriteLine("  variant                          peak RSS MB   above baseline MB   RSS at end MB");
        var baseline = rows.FirstOrDefault(r => r.Label == BaselineLabel)?.PeakRssMb ?? double.NaN;
        foreach (var row in rows)
        {
            var above = row.Label == BaselineLabel ? "" : $"{row.PeakRssMb - baseline:F1}";
            output.WriteLine($"  {row.Label,-32} {row.PeakRssMb,11:F1} {above,19} {row.RssMb,15:F1}");
        }
    }

    private static VariantMemoryMeasurement Probe(string label, string model, string shape, int runs, int threads, CancellationToken cancellationToken)
    {
        var start = SelfStartInfo();
        foreach (var arg in new[] { "bench", BenchMemoryProbeCommand.Name, "--model", model, "--shape", shape,
                     "--runs", runs.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{start.FileName}' for the memory probe.");
        using var registration = cancellationToken.Register(() =>
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
            }
        });
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        cancellationToken.ThrowIfCancellationRequested();
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith(BenchMemoryProbeCommand.ResultPrefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException(
                $"Memory probe for {label} exited with {process.ExitCode}: {stderr.GetAwaiter().GetResult().Trim()} {stdout.Trim()}".Trim());
        }

        var values = line[BenchMemoryProbeCommand.ResultPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('='))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return new VariantMemoryMeasurement(label, values["peak_rss_mb"], values["rss_mb"]);
    }

    /// <summary>
    /// How to start this same binary: the apphost or single-file executable directly; under `dotnet edge-agent.dll`
    /// (or a test host) the dotnet host with this assembly's path.
    /// </summary>
    private static ProcessStartInfo SelfStartInfo()
    {
        var assembly = typeof(VariantMemory).Assembly.Location;
        if (string.IsNullOrEmpty(assembly))
        {
            return new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("The path of this executable is unknown."));
        }

        var apphost = Path.ChangeExtension(assembly, null);
        if (File.Exists(apphost) && !OperatingSystem.IsWindows())
        {
            return new ProcessStartInfo(apphost);
        }

        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host) && Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            host = self;
        }

        var start = new ProcessStartInfo(string.IsNullOrEmpty(host) ? "dotnet" : host);
        start.ArgumentList.Add(assembly);
        return start;
    }
}
