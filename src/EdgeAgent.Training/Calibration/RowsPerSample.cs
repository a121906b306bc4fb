using EdgeAgent.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Calibration;

/// <summary>Runs a run's model over a feature set in inference mode, in batches, and splits a per-batch output into one row per sample.</summary>
internal static class RowsPerSample
{
    private const int BatchSize = 64;

    /// <param name="forward">Maps a batch's inputs to an output of shape [batch, width].</param>
    public static float[][] Compute(RunModel model, FeatureSet set, int width, Func<Tensor, Tensor> forward)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(set);
        model.Module.eval();
        using var noGrad = torch.no_grad();
        var result = new float[set.Count][];
        var all = Enumerable.Range(0, set.Count).ToArray();
        for (var start = 0; start < all.Length; start += BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            var count = Math.Min(BatchSize, all.Length - start);
            var (x, _) = HeadTrainer.Batch(set, all.AsSpan(start, count), model.InputShape, torch.CPU);
            var values = forward(x).data<float>().ToArray();
            for (var i = 0; i < count; i++)
            {
                result[start + i] = values.AsSpan(i * width, width).ToArray();
            }
        }

        return result;
    }
}
