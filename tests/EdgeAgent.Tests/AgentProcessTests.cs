using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests;

/// <summary>The child-process helper itself, on the real binary: start, wait, SIGKILL, restart on the same folders, SIGTERM.</summary>
[Collection(AgentProcessCollection.Name)]
public sealed class AgentProcessTests
{
    [Fact(Timeout = 120_000)]
    public async Task The_real_agent_runs_as_a_child_is_killed_restarted_on_the_same_folders_and_stops_cleanly()
    {
        await using var folders = AgentHarness.Create();
        using var agent = AgentProcess.Run(folders.Settings);
        await agent.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        await File.WriteAllBytesAsync(Path.Combine(folders.Inbox, "first.png"), TestImages.Noise(1));
        await agent.WaitUntilAsync(() => File.Exists(Path.Combine(folders.Processed, "first.png")), TimeSpan.FromSeconds(30), "first.png processed");

        agent.Kill();
        Assert.True(agent.HasExited);
        // 128 + 9: the shell convention .NET reports for a child ended by SIGKILL.
        Assert.Equal(137, agent.Current.ExitCode);

        // While it is down a file arrives; the restarted agent finds it on its start-up rescan.
        await File.WriteAllBytesAsync(Path.Combine(folders.Inbox, "second.png"), TestImages.Noise(2));
        agent.Restart();
        Assert.Equal(2, agent.Starts);
        await agent.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        await agent.WaitUntilAsync(() => File.Exists(Path.Combine(folders.Processed, "second.png")), TimeSpan.FromSeconds(30), "second.png processed");

        Assert.Equal(0, await agent.StopAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(2, folders.ResultJsons().Length);
        // The first start's log lines may have died in the console logger's queue with the SIGKILL; the second stopped cleanly.
        Assert.Single(agent.OutputOfEachStart[1], l => l.Contains("second.png:", StringComparison.Ordinal));
        Assert.DoesNotContain(agent.OutputOfEachStart[1], l => l.Contains("first.png:", StringComparison.Ordinal));
    }
}
