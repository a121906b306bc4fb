using EdgeAgent.Training.Training;
using TorchSharp;

namespace EdgeAgent.Training.Calibration;

/// <summary>
/// Spatial means of a frozen-backbone run's feature maps, the training-side twin of the exported model's
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
        ArgumentNullException.ThrowIfNull(set);
        if (model.Frozen is null)
        {
            throw new InvalidOperationException("Pooled features need a frozen-backbone run (its inputs are feature maps, not images).");
        }

        model.Module.eval();
        using var noGrad = torch.no_grad();
        var channels = model.FeatureShape[0];
        var result = new float[set.Count][];
        var all = Enumerable.Range(0, set.Count).ToArray();
        for (var start = 0; start < all.Length; start += 64)
        {
            using var scope = torch.NewDisposeScope();
            var count = Math.Min(64, all.Length - start);
            var (x, _) = HeadTrainer.Batch(set, all.AsSpan(start, count), model.InputShape, torch.CPU);
            var map = layer == Layer.Target ? model.Head.Standardize(x) : x;
            var pooled = map.mean([2, 3]).data<float>().ToArray();
            for (var i = 0; i < count; i++)
            {
                result[start + i] = pooled.AsSpan(i * channels, channels).ToArray();
            }
        }

        return result;
    }
}
