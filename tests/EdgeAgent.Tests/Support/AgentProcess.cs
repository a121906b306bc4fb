using System.Diagnostics;
using EdgeAgent.Messaging.Tests.Support;

namespace EdgeAgent.Tests.Support;

/// <summary>
/// The real <c>edge-agent</c> executable (edge-agent.dll, copied next to the tests by the project reference, run with
/// <c>dotnet</c>) as a child process: started with a verb and <c>--Section:Key=value</c> settings, watched through its
/// log lines and the files it writes, killed with SIGKILL (a power cut as far as it is concerned) or stopped with
/// SIGTERM, and started again with the same arguments on the same folders, as often as a test needs.
/// </summary>
/// <remarks>
/// Typical use with the folder layout of <see cref="AgentHarness"/>:
/// <code>
/// await using var folders = AgentHarness.Create();
/// using var agent = AgentProcess.Run(folders.Settings);
/// await agent.WaitForReadyAsync(TimeSpan.FromSeconds(60));
/// await agent.WaitUntilAsync(() => Directory.GetFiles(folders.Processed).Length >= 5, TimeSpan.FromSeconds(30), "5 processed");
/// agent.Kill();
/// agent.Restart();
/// </code>
/// </remarks>
internal sealed class AgentProcess : IDisposable
{
    /// <summary>Logged by the folder pipeline once it watches its folder (AgentLog.Watching): the agent is serving.</summary>
    public const string ReadyLine = "Watching ";

    private readonly string[] _arguments;
    private readonly IReadOnlyDictionary<string, string?>? _environment;
    private readonly List<ChildProcess> _runs = [];

    private AgentProcess(string[] arguments, IReadOnlyDictionary<string, string?>? environment)
    {
        _arguments = arguments;
        _environment = environment;
    }

    /// <summary>edge-agent.dll in the test output folder.</summary>
    public static string AgentDll => Path.Combine(AppContext.BaseDirectory, "edge-agent.dll");

    /// <summary>The command line after <c>dotnet edge-agent.dll</c>, the same for every (re)start.</summary>
    public IReadOnlyList<string> Arguments => _arguments;

    /// <summary>The child of the latest start.</summary>
    public ChildProcess Current => _runs.Count > 0 ? _runs[^1] : throw new InvalidOperationException("the agent was never started");

    /// <summary>How many times the agent was started (1 after <see cref="Run"/> or <see cref="Start"/>).</summary>
    public int Starts => _runs.Count;

    /// <summary>The output lines (stdout and stderr) of each start, in start order.</summary>
    public IReadOnlyList<IReadOnlyCollection<string>> OutputOfEachStart => [.. _runs.Select(r => r.Lines)];

    /// <summary>The output lines of every start so far, in start order.</summary>
    public IEnumerable<string> AllOutput => _runs.SelectMany(r => r.Lines);

    public bool HasExited => Current.HasExited;

    /// <summary>Starts <c>edge-agent run</c> with <paramref name="settings"/> as <c>--Section:Key=value</c> arguments.</summary>
    public static AgentProcess Run(IReadOnlyDictionary<string, string?> settings, IReadOnlyDictionary<string, string?>? environment = null) =>
        Start(["run"], settings, environment);

    /// <summary>
    /// Starts <c>edge-agent</c> with <paramref name="verb"/> (e.g. <c>["run"]</c> or <c>["outbox", "stats"]</c>), then the
    /// settings as <c>--Section:Key=value</c> (settings with a null value are left out), then <paramref name="environment"/>
    /// added to the child's environment (e.g. <c>EDGEAGENT_Mqtt__PasswordFile</c>).
    /// </summary>
    public static AgentProcess Start(IEnumerable<string> verb, IReadOnlyDictionary<string, string?>? settings = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var arguments = new List<string> { AgentDll };
        arguments.AddRange(verb);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is not null)
            {
                arguments.Add($"--{key}={value}");
            }
        }
        var agent = new AgentProcess([.. arguments], environment);
        agent.StartChild();
        return agent;
    }

    /// <summary>Starts the agent again with the same arguments; the previous child must have exited (it is killed if not).</summary>
    public void Restart()
    {
        Current.Kill();
        StartChild();
    }

    /// <summary>Waits until the current start logs <see cref="ReadyLine"/> (model loaded, pipeline watching).</summary>
    public Task WaitForReadyAsync(TimeSpan timeout) => WaitForLineAsync(ReadyLine, timeout);

    /// <summary>Waits until the current start has logged a line containing <paramref name="contains"/>; fails early if it exits.</summary>
    public Task WaitForLineAsync(string contains, TimeSpan timeout) => Current.WaitForLineAsync(contains, timeout);

    /// <summary>Waits until the current start's output satisfies <paramref name="condition"/>; fails early if it exits.</summary>
    public Task WaitForOutputAsync(Func<IReadOnlyCollection<string>, bool> condition, TimeSpan timeout, string what) =>
        Current.WaitForAsync(condition, timeout, what);

    /// <summary>
    /// Waits until <paramref name="condition"/> (typically over files the agent writes: the ledger, the outbox, the processed
    /// folder) holds. Throws when the timeout passes or when the agent exits first, with its last output lines.
    /// </summary>
    public Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) => PollAsync(condition, timeout, what, kill: false);

    /// <summary>
    /// SIGKILLs the agent the moment <paramref name="condition"/> holds (e.g. "k of n inputs processed"), so that the kill lands
    /// where the test means it to; throws like <see cref="WaitUntilAsync"/>.
    /// </summary>
    public Task KillWhenAsync(Func<bool> condition, TimeSpan timeout, string what) => PollAsync(condition, timeout, what, kill: true);

    /// <summary>SIGKILL of the current start: no shutdown code runs, nothing buffered is flushed.</summary>
    public void Kill() => Current.Kill();

    /// <summary>SIGTERM, then waits for the clean shutdown (killed if it takes longer); returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        await Current.TerminateAsync(timeout);
        return Current.ExitCode ?? throw new InvalidOperationException("edge-agent did not exit");
    }

    /// <summary>Waits for the current start to exit by itself (e.g. a one-shot verb or a refused start-up); returns the exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => Current.WaitForExitAsync(timeout);

    public void Dispose()
    {
        foreach (var run in _runs)
        {
            run.Dispose();
        }
    }

    /// <summary>
    /// Polls on a dedicated thread, not the thread pool: a busy parallel test run can starve pool threads for seconds, long
    /// enough for the agent to finish what a test meant to interrupt. Files written by another process have no event a test
    /// can await reliably (SQLite WAL writes, renames), so a 5 ms poll is what keeps the reaction close to the moment.
    /// </summary>
    private Task PollAsync(Func<bool> condition, TimeSpan timeout, string what, bool kill)
    {
        var child = Current;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var watch = Stopwatch.StartNew();
                while (!condition())
                {
                    if (child.HasExited)
                    {
                        throw new InvalidOperationException($"edge-agent exited ({child.ExitCode}) before {what}; output:\n{Tail(child)}");
                    }
                    if (watch.Elapsed > timeout)
                    {
                        throw new TimeoutException($"no {what} within {timeout.TotalSeconds} s; edge-agent output:\n{Tail(child)}");
                    }
                    Thread.Sleep(5);
                }
                if (kill)
                {
                    child.Kill();
                }
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "edge-agent watch",
        };
        thread.Start();
        return done.Task;
    }

    private void StartChild() => _runs.Add(ChildProcess.Start("dotnet", _arguments, _environment));

    private static string Tail(ChildProcess child) => string.Join('\n', child.Lines.TakeLast(30));
}
