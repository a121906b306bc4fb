using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Runs the float and the quantized model side by side, one sample at a time, and compares them; an observer gets
/// each sample's logits and CAMs from both (e.g. a <see cref="FidelityAccumulator"/>).
/// </summary>
public static class QuantizationValidator
{
    public static QuantizationValidation Compare(
        ModelProto floatModel,
        QuantizationResult quantized,
        IEnumerable<CalibrationSample> samples,
        long[] inputShape,
        string logitsOutput,
        string? camOutput,
        IReadOnlyList<string> labels,
        int threads = 0,
        IProgress<int>? progress = null,
        Action<CalibrationSample, PairedOutputs>? observe = null,
        IReadOnlyCollection<string>? floatTensors = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(quantized);
        ArgumentNullException.ThrowIfNull(labels);
        // Quantized activations (read through their dequantized copy in the int8 graph), then float tensors both graphs
        // compute under the same name (e.g. the CAM target behind a float standardisation).
        var layers = quantized.DequantizedActivations.Keys.Where(quantized.Ranges.ContainsKey).Order(StringComparer.Ordinal)
            .Concat((floatTensors ?? []).Where(t => !quantized.DequantizedActivations.ContainsKey(t)))
            .ToList();
        var heads = camOutput is null ? new List<string> { logitsOutput } : [logitsOutput, camOutput];
        var floatFetch = heads.Concat(layers).ToList();
        var int8Fetch = heads.Concat(layers.Select(l => quantized.DequantizedActivations.GetValueOrDefault(l, l))).ToList();
        using var floatRunner = new OrtTensorRunner(floatModel, floatFetch, inputShape, threads);
        using var int8Runner = new OrtTensorRunner(quantized.Model, int8Fetch, inputShape, threads);

        var signal = new double[layers.Count];
        var noise = new double[layers.Count];
        var localNoise = new double[layers.Count];
        var own = layers.Select(l => quantized.Parameters.TryGetValue(l, out var p) ? p : (QuantizationParameters?)null).ToList();
        var counts = new int[labels.Count];
        var floatCorrect = new int[labels.Count];
        var int8Correct = new int[labels.Count];
        int total = 0, agree = 0, camSamples = 0;
        double camSum = 0;
        foreach (var sample in samples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reference = new Dictionary<string, float[]>(StringComparer.Ordinal);
            floatRunner.Run(sample.Tensor, floatFetch, (name, values) => reference[name] = values.ToArray());
            var floatTop = QuantizationMetrics.ArgMax(reference[logitsOutput]);
            var int8Top = -1;
            float[]? int8Logits = null, int8Cam = null;
            var fetchIndex = 0;
            int8Runner.Run(sample.Tensor, int8Fetch, (_, values) =>
            {
                var name = floatFetch[fetchIndex++];
                if (name == logitsOutput)
                {
                    int8Top = QuantizationMetrics.ArgMax(values);
                    int8Logits = observe is null ? null : values.ToArray();
                }
                else if (name == camOutput)
                {
                    var cam = reference[name];
                    int8Cam = observe is null ? null : values.ToArray();
                    var plane = cam.Length / labels.Count;
                    var r = QuantizationMetrics.Pearson(cam.AsSpan(floatTop * plane, plane), values.Slice(floatTop * plane, plane));
                    if (!double.IsNaN(r))
                    {
                        camSum += r;
                        camSamples++;
                    }
                }
                else
                {
                    var layer = layers.IndexOf(name);
                    var x = reference[name];
                    for (var i = 0; i < x.Length; i++)
                    {
                        signal[layer] += (double)x[i] * x[i];
                        var d = (double)x[i] - values[i];
                        noise[layer] += d * d;
                    }

                    if (own[layer] is { } p)
                    {
                        // This tensor's own rounding and clipping alone, applied to the float model's values.
                        for (var i = 0; i < x.Length; i++)
                        {
                            var q = Math.Clamp(Math.Round(x[i] / p.Scale, MidpointRounding.ToEven) + p.ZeroPoint, p.QMin, p.QMax);
                            var d = x[i] - ((q - p.ZeroPoint) * p.Scale);
                            localNoise[layer] += d * d;
                        }
                    }
                }
            });

            observe?.Invoke(sample, new PairedOutputs(reference[logitsOutput], int8Logits!, camOutput is null ? null : reference[camOutput], int8Cam));
            total++;
            if (floatTop == int8Top)
            {
                agree++;
            }

            if (sample.Label is { } label && label >= 0 && label < labels.Count)
            {
                counts[label]++;
                floatCorrect[label] += floatTop == label ? 1 : 0;
                int8Correct[label] += int8Top == label ? 1 : 0;
            }

            progress?.Report(total);
        }

        if (total == 0)
        {
            throw new CalibrationDataException("No validation samples were given.");
        }

        return new QuantizationValidation
        {
            Samples = total,
            Top1Agreement = (double)agree / total,
            PerClass = [.. Enumerable.Range(0, labels.Count).Where(k => counts[k] > 0)
                .Select(k => new ClassAccuracy(labels[k], counts[k], (double)floatCorrect[k] / counts[k], (double)int8Correct[k] / counts[k]))],
            MeanCamPearson = camOutput is null || camSamples == 0 ? null : camSum / camSamples,
            CamSamples = camSamples,
            Layers = [.. layers.Select((l, i) => new LayerSqnr(l, QuantizationMetrics.SqnrDecibels(signal[i], noise[i]),
                own[i] is null ? double.NaN : QuantizationMetrics.SqnrDecibels(signal[i], localNoise[i]))).OrderBy(l => l.Decibels)],
        };
    }
}
