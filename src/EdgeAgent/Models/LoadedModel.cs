using EdgeAgent.Inference;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Models;

/// <summary>The model the agent runs: its manifest and a ready classifier (one ONNX Runtime session).</summary>
public sealed class LoadedModel(ModelManifest manifest, Classifier classifier, string source, ModelPackage? package = null) : IDisposable
{
    public ModelManifest Manifest { get; } = manifest;
    public Classifier Classifier { get; } = classifier;

    /// <summary>Where the package was loaded from.</summary>
    public string Source { get; } = source;

    public ModelIdentity Identity => new()
    {
        Name = Manifest.Name,
        Version = Manifest.Version,
        Precision = Manifest.Precision,
        Trained = Manifest.Trained,
    };

    /// <summary>"name version", with "(UNTRAINED)" for seeded fixtures so nobody mistakes one for a diagnosis.</summary>
    public string DisplayName => $"{Manifest.Name} {Manifest.Version}{(Manifest.Trained ? string.Empty : " (UNTRAINED)")}";

    public void Dispose()
    {
        Classifier.Dispose();
        // A zipped package was extracted to a temporary folder; disposing removes it.
        package?.Dispose();
    }
}
