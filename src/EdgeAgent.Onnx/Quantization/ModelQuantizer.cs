using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Static post-training quantization to QDQ form: fold Conv+BatchNorm, plan which tensors to quantize, calibrate
/// their ranges on sample images, then insert QuantizeLinear/DequantizeLinear pairs and int8 weights. Recurrent ops
/// and every node that only feeds a float output (the Grad-CAM subgraph) stay float and read the dequantized
/// tensors, so a CAM is computed from the quantized forward's own feature map.
/// </summary>
public static class ModelQuantizer
{
    public static QuantizationResult Quantize(
        ModelProto model,
        IEnumerable<CalibrationSample> samples,
        long[] inputShape,
        QuantizationOptions? options = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        options ??= new QuantizationOptions();
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1;
        if (opset < 13)
        {
            throw new NotSupportedException($"The model uses opset {opset}; per-channel QDQ needs opset 13 or newer (re-export or upgrade it).");
        }

        var work = model.Clone();
        var folded = options.FoldBatchNorm ? ConvBatchNormFolder.Fold(work) : 0;
        var plan = QuantizationPlan.Create(work, options);
        var calibrated = plan.CalibratedTensors.ToList();
        if (calibrated.Count == 0)
        {
            throw new InvalidOperationException("Nothing to quantize: no Conv, Gemm, MatMul, Add, Concat or pooling node is left after exclusions.");
        }

        var count = 0;
        var histograms = ActivationCalibrator.Collect(
            work, calibrated, samples.Select(s => { count++; return s; }), inputShape, options, progress, cancellationToken);
        var ranges = histograms.ToDictionary(
            p => p.Key,
            p => p.Value.Range(options.Method, options.Percentile, Levels(p.Value, options.Activations)),
            StringComparer.Ordinal);
        var parameters = ranges.ToDictionary(p => p.Key, p => QuantizationParameters.From(p.Value, options.Activations), StringComparer.Ordinal);
        var rewriter = QdqRewriter.Apply(work, plan, parameters, options);
        work.MetadataProps.Add(new StringStringEntryProto { Key = "edgeagent.quantization", Value = $"qdq {options.Activations} {options.Method}" });
        return new QuantizationResult
        {
            Model = work,
            CalibrationSamples = count,
            FoldedBatchNorms = folded,
            QuantizedWeights = rewriter.QuantizedWeights,
            Ranges = ranges,
            Parameters = parameters,
            DequantizedActivations = rewriter.DequantizedActivations,
        };
    }

    /// <summary>Levels on the non-negative side: uint8 spends all 256 on a non-negative tensor, otherwise 128 per side.</summary>
    private static int Levels(StreamingHistogram histogram, ActivationType type) =>
        type == ActivationType.UInt8 && histogram.Min >= 0 ? 256 : 128;
}
