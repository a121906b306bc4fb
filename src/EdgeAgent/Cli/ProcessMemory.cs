using System.Globalization;

namespace EdgeAgent.Cli;

/// <summary>This process's resident memory from /proc/self/status (Linux); NaN where /proc is not available.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM) in MB.</summary>
    public static double PeakRssMb() => StatusMb("VmHWM:");

    /// <summary>Current resident set size (VmRSS) in MB.</summary>
    public static double RssMb() => StatusMb("VmRSS:");

    private static double StatusMb(string key)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return double.NaN;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
