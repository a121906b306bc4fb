namespace EdgeAgent.Training.Tests;

/// <summary>
/// TorchSharp's random generator and thread count are process-wide. The backbone export tests
/// reseed and draw from the generator for seconds at a time; beside a training test whose weights
/// and dropout masks come from its own seed they would change its result, so they run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchSharpGlobalStateCollection
{
    public const string Name = "TorchSharp global state";
}
