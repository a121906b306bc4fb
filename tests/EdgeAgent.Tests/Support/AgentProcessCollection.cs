namespace EdgeAgent.Tests.Support;

/// <summary>
/// Tests that run the real agent as a child process and kill it at a chosen point run alone, after the parallel tests:
/// a child competing with a whole parallel test run for two cores makes "kill at k of n" land late, and its timings mean little.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AgentProcessCollection
{
    public const string Name = "edge-agent child process";
}
