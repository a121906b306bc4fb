using EdgeAgent.Inference;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models;

/// <summary>Loads a model package and builds its classifier on the preferred execution provider.</summary>
public sealed class ModelLoader(InferenceSessionFactory sessions, ILogger<ModelLoader> logger)
{
    public LoadedModel Load(string path, bool warmUp)
    {
        var full = Path.GetFullPath(path);
        var (manifest, bytes) = ModelPackageSource.Read(full);
        var session = sessions.Create(bytes, manifest.Name);
        Classifier classifier;
        try
        {
            classifier = new Classifier(session, manifest);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        var model = new LoadedModel(manifest, classifier, full);
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
