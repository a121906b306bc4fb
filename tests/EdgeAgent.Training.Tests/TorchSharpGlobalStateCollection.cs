namespace EdgeAgent.Training.Tests;

/// <summary>
/// TorchSharp's random generator and thread count are process-wide: every test that seeds it (training, k-fold,
/// export parity at random initialisation) draws from the same generator, so two of them side by side would change
/// each other's weights and dropout masks, and a seeded run would not be reproducible. They all run here, one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchSharpGlobalStateCollection
{
    public const string Name = "TorchSharp global state";
}
