using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Runs the float model over calibration samples one at a time and keeps one <see cref="StreamingHistogram"/> per
/// tensor: memory is bounded by (tensors × bins), not by the number of samples.
/// </summary>
public static class ActivationCalibrator
{
    /// <summary>Histograms of <paramref name="tensors"/>; <paramref name="progress"/> gets the number of samples done.</summary>
    public static IReadOnlyDictionary<string, StreamingHistogram> Collect(
        ModelProto model,
        IReadOnlyCollection<string> tensors,
        IEnumerable<CalibrationSample> samples,
        long[] inputShape,
        QuantizationOptions options,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var histograms = tensors.ToDictionary(t => t, _ => new StreamingHistogram(options.HistogramBins), StringComparer.Ordinal);
        var fetch = tensors.ToList();
        using var runner = new OrtTensorRunner(model, fetch, inputShape, options.Threads);
        var done = 0;
        foreach (var sample in samples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                runner.Run(sample.Tensor, fetch, (name, values) => histograms[name].Add(values));
            }
            catch (InvalidDataException ex)
            {
                throw new CalibrationDataException($"{sample.Source}: {ex.Message}", ex);
            }

            done++;
            progress?.Report(done);
        }

        if (done == 0)
        {
            throw new CalibrationDataException("No calibration samples were given.");
        }

        return histograms;
    }
}
