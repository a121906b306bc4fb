using EdgeAgent.Training.Training;
using TorchSharp;

namespace EdgeAgent.Training.Calibration;

/// <summary>Pre-softmax outputs of a run's model (temperature scaling and the energy score need logits, not probabilities).</summary>
public static class ValidationLogits
{
    public static float[][] Compute(RunModel model, FeatureSet set)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(set);
        model.Module.eval();
        using var noGrad = torch.no_grad();
        var classes = Data.ClassOrder.Count;
        var result = new float[set.Count][];
        var all = Enumerable.Range(0, set.Count).ToArray();
        for (var start = 0; start < all.Length; start += 64)
        {
            using var scope = torch.NewDisposeScope();
            var count = Math.Min(64, all.Length - start);
            var (x, _) = HeadTrainer.Batch(set, all.AsSpan(start, count), model.InputShape, torch.CPU);
            var logits = model.Module.forward(x).data<float>().ToArray();
            for (var i = 0; i < count; i++)
            {
                result[start + i] = logits.AsSpan(i * classes, classes).ToArray();
            }
        }

        return result;
    }
}
