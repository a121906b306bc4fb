using EdgeAgent.Training.Training;

namespace EdgeAgent.Training.Calibration;

/// <summary>Pre-softmax outputs of a run's model (temperature scaling and the energy score need logits, not probabilities).</summary>
public static class ValidationLogits
{
    public static float[][] Compute(RunModel model, FeatureSet set)
    {
        ArgumentNullException.ThrowIfNull(model);
        return RowsPerSample.Compute(model, set, Data.ClassOrder.Count, x => model.Module.forward(x));
    }
}
