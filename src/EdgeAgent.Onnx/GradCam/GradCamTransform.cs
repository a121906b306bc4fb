using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// Turns a classifier into one that also answers Grad-CAM for every class in the same Run:
/// cam[n, k] = ReLU(sum_c alpha[k, n, c] * A[n, c]) with alpha the spatial mean of d(score_k)/dA.
/// The original nodes and outputs are kept untouched; only nodes and one output are appended.
/// </summary>
public static class GradCamTransform
{
    public static GradCamResult Apply(ModelProto model, GradCamOptions? options = null)
    {
        options ??= new GradCamOptions();
        var copy = model.Clone();
        var index = new GraphIndex(copy.Graph);
        if (index.Exists(options.CamOutputName) || copy.Graph.Output.Any(o => o.Name == options.CamOutputName))
            throw new ArgumentException($"The model already has a tensor named '{options.CamOutputName}'.", nameof(options));

        var (detectedScore, probabilities) = TargetLayerDetector.DetectScore(index);
        var score = options.ScoreTensor ?? detectedScore;
        if (options.ScoreTensor is not null && options.ScoreTensor != detectedScore) probabilities = TargetLayerDetector.ProbabilitiesOf(index, score);
        var target = options.TargetTensor ?? TargetLayerDetector.DetectTarget(copy, index, score, options.InputShapes);
        var layout = options.TargetLayout == FeatureLayout.Auto ? TargetLayerDetector.DetectLayout(index, target) : options.TargetLayout;

        if (options.Int8MinElements < 1) throw new ArgumentException("Int8MinElements must be at least 1.", nameof(options));
        // alpha needs only the gradient's sum over H, W (a ChannelSumChain may give it without the full gradient);
        // the full gradient is built only when it is asked for as an output or when no such chain exists
        var request = options.GradientOutputName is null ? GradientRequest.ChannelSum : GradientRequest.FullAndChannelSum;
        var appended = ReverseModeDifferentiator.Append(
            copy, index, target, score, options.InputShapes, options.BackwardWeights, options.Int8MinElements, request, layout);
        var e = appended.Emitter;
        var targetShape = appended.Facts[target].Shape;
        if (targetShape.Length != 4) throw new InvalidOperationException($"Target '{target}' must be 4-D; it has shape [{string.Join(", ", targetShape)}].");

        // gradient [K, N, C, H, W] (or [K, N, H, W, C]) -> alpha [N, K, C] -> cam = ReLU(alpha @ A[N, C, H*W]) -> [N, K, H, W].
        // The weighted channel sum is one batched MatMul rather than a broadcast multiply and a reduction.
        var nhwc = layout == FeatureLayout.Nhwc;
        var (h, w, channels) = nhwc ? (targetShape[1], targetShape[2], targetShape[3]) : (targetShape[2], targetShape[3], targetShape[1]);
        var alpha = appended.ChannelSum is { } sum
            ? e.Mul(sum, e.ScalarFloat(1f / (h * w)))
            : e.ReduceMean(appended.Gradient!, nhwc ? [2, 3] : [3, 4], keepDims: false);
        var alphaByBatch = e.Transpose(alpha, 1, 0, 2);
        var spatial = nhwc
            ? e.Transpose(e.Reshape(target, 0, h * w, channels), 0, 2, 1)
            : e.Reshape(target, 0, channels, h * w);
        var weighted = e.MatMul(alphaByBatch, spatial);
        var camShape = e.Concat(0, e.Slice(e.Shape(target), 0, 0, 1), e.ConstInt64(appended.Classes, h, w));
        var cam = e.OpTo(options.CamOutputName, "Relu", [e.Reshape(weighted, camShape)]);
        e.AddOutput(cam, 1, [BatchDim(copy), appended.Classes.ToString(), h.ToString(), w.ToString()]);
        if (options.GradientOutputName is { } gradName)
        {
            e.OpTo(gradName, "Identity", [appended.Gradient!]);
            e.AddOutput(gradName, 1, [appended.Classes.ToString(), .. targetShape.Select((d, i) => i == 0 ? BatchDim(copy) : d.ToString())]);
        }

        SetMetadata(copy, MetadataKeys.Target, target);
        SetMetadata(copy, MetadataKeys.Score, score);
        SetMetadata(copy, MetadataKeys.Cam, cam);
        SetMetadata(copy, MetadataKeys.Layout, layout.ToString());
        if (appended.Int8WeightCopies > 0) SetMetadata(copy, MetadataKeys.BackwardWeights, options.BackwardWeights.ToString());

        var ops = appended.PathNodes.Select(i => copy.Graph.Node[i].OpType)
            .GroupBy(t => t, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new GradCamResult
        {
            Model = BatchwiseRecurrentRewriter.Apply(copy),
            TargetTensor = target,
            ScoreTensor = score,
            ProbabilitiesOutput = probabilities,
            CamOutput = cam,
            Classes = appended.Classes,
            TargetLayout = layout,
            TargetShape = targetShape,
            AddedNodeCount = e.NodeCount,
            DifferentiatedOps = ops,
            Int8WeightCopies = appended.Int8WeightCopies,
            ChannelSumShortcut = appended.ChannelSum is not null,
        };
    }

    private static void SetMetadata(ModelProto model, string key, string value)
    {
        var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (existing is not null) existing.Value = value;
        else model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    /// <summary>The batch dimension of the first model input: its fixed value, or a symbolic name.</summary>
    private static string? BatchDim(ModelProto model)
    {
        var dims = model.Graph.Input.FirstOrDefault()?.Type?.TensorType?.Shape?.Dim;
        if (dims is null || dims.Count == 0) return "N";
        return dims[0].HasDimValue && dims[0].DimValue > 0 ? dims[0].DimValue.ToString() : (dims[0].DimParam.Length > 0 ? dims[0].DimParam : "N");
    }
}
