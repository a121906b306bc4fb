using EdgeAgent.Training.Training;
using TorchSharp;

namespace EdgeAgent.Training.Calibration;

/// <summary>
/// Spatial means of a run's feature maps (a TorchSharp backbone's computed from the images), the training-side twin of the exported model's
/// <c>features</c> output (a ReduceMean over the Grad-CAM target layer; export checks the two agree).
/// </summary>
public static class PooledFeatures
{
    /// <summary>Which map is pooled: the CAM target (the head's standardised map when it standardises) or the raw backbone map.</summary>
    public enum Layer
    {
        Target,
        Backbone,
    }

    public static float[][] Compute(RunModel model, FeatureSet set, Layer layer = Layer.Target)
    {
        ArgumentNullException.ThrowIfNull(model);
        return RowsPerSample.Compute(model, set, model.FeatureShape[0], x =>
        {
            // A frozen run's inputs are the feature maps; a TorchSharp run's are images, so run its backbone.
            var features = model.Frozen is null ? ((Models.CnnRnnModel)model.Module).Backbone.forward(x) : x;
            var map = layer == Layer.Target ? model.Head.Standardize(features) : features;
            return map.mean([2, 3]);
        });
    }
}
