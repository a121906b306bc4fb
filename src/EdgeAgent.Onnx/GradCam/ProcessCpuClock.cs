using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// CPU time consumed by this process so far, in nanosecond resolution on Linux (clock_gettime with
/// CLOCK_PROCESS_CPUTIME_ID; /proc's counters tick only every 10 ms), else <see cref="Process.TotalProcessorTime"/>.
/// On a machine shared with other work, CPU time per Run is far less disturbed than wall time.
/// </summary>
internal static class ProcessCpuClock
{
    private const int ProcessCpuTimeId = 2;

    public static double NowMs()
    {
        if (OperatingSystem.IsLinux() && clock_gettime(ProcessCpuTimeId, out var ts) == 0)
            return ts.Seconds * 1e3 + ts.Nanoseconds / 1e6;
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalMilliseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    // DllImport rather than LibraryImport: the latter needs unsafe code enabled for the whole project.
    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
}
