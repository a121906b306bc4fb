using EdgeAgent.Inference;
using EdgeAgent.Onnx.Packaging;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models;

/// <summary>Loads a model package and builds its classifier on the preferred execution provider.</summary>
public sealed class ModelLoader(InferenceSessionFactory sessions, ILogger<ModelLoader> logger)
{
    public LoadedModel Load(string path, bool warmUp)
    {
        var full = Path.GetFullPath(path);
        // Validates the manifest against the model (fields, labels, outputs, sha256) and names the bad field.
        var package = ModelPackage.Load(full);
        var manifest = package.Manifest;
        Classifier classifier;
        try
        {
            var session = sessions.Create(File.ReadAllBytes(package.ModelPath), manifest.Name);
            try
            {
                classifier = new Classifier(session, manifest, featureStatistics: package.FeatureStatistics);
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        catch
        {
            package.Dispose();
            throw;
        }

        var model = new LoadedModel(manifest, classifier, full, package);
        if (warmUp)
        {
            // The first Run allocates arenas and picks kernels; doing it here keeps that cost off the first real image.
            classifier.Classify(new float[classifier.TensorLength]);
        }

        AgentLog.ModelLoaded(logger, model.DisplayName, full, classifier.Provider, classifier.HasCam);
        if (!manifest.Trained)
        {
            AgentLog.UntrainedModel(logger, manifest.Name);
        }

        return model;
    }
}
