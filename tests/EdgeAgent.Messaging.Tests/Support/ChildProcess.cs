using System.Collections.Concurrent;
using System.Diagnostics;

namespace EdgeAgent.Messaging.Tests.Support;

/// <summary>A child process whose stdout/stderr lines are recorded and can be awaited.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    public IReadOnlyCollection<string> Lines => _lines;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited (SIGKILL shows as 137), else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static ChildProcess Start(string fileName, params string[] arguments) => Start(fileName, arguments, environment: null);

    /// <summary>Starts <paramref name="fileName"/>; <paramref name="environment"/> adds (or, with a null value, removes) variables.</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        process.Exited += (_, _) => child.Add(null);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until a recorded line (past or future) satisfies the condition over all lines.</summary>
    public async Task WaitForAsync(Func<IReadOnlyCollection<string>, bool> condition, TimeSpan timeout, string what)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (_gate)
            {
                next = _lineArrived.Task;
            }
            if (condition(_lines))
            {
                return;
            }
            if (_process.HasExited && !condition(_lines))
            {
                // Exited: no more lines will come.
                await Task.Yield();
                if (condition(_lines))
                {
                    return;
                }
                throw new InvalidOperationException($"process exited ({_process.ExitCode}) before {what}; output:\n{string.Join('\n', _lines.TakeLast(30))}");
            }
            try
            {
                await next.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {what} within {timeout.TotalSeconds} s; output:\n{string.Join('\n', _lines.TakeLast(30))}");
            }
        }
    }

    public Task WaitForLineAsync(string contains, TimeSpan timeout) =>
        WaitForAsync(lines => lines.Any(l => l.Contains(contains, StringComparison.Ordinal)), timeout, $"line containing '{contains}'");

    /// <summary>SIGKILL: no cleanup, no flush — a power cut as far as the process is concerned.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    /// <summary>Waits for the process to exit by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process did not exit within {timeout.TotalSeconds} s; output:\n{string.Join('\n', _lines.TakeLast(30))}");
        }
        return _process.ExitCode;
    }

    /// <summary>SIGTERM: the process may shut down cleanly.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
        lock (_gate)
        {
            _lineArrived.TrySetResult();
            _lineArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
