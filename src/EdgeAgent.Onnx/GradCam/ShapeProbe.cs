using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// Learns the concrete shapes (and small integer values) of chosen tensors by running the original model once
/// in ONNX Runtime on a synthetic input. The gradient rules need ranks, broadcast axes and the constant values
/// computed by shape subgraphs; a probe run is exact where static shape inference would have to re-implement
/// every op. Symbolic batch dimensions are probed as 2 so that a batch axis is never mistaken for a broadcast one.
/// </summary>
internal static class ShapeProbe
{
    public const long ProbeBatch = 2;

    public static Dictionary<string, TensorFacts> Run(
        ModelProto model, GraphIndex index, IEnumerable<string> tensors, IReadOnlyDictionary<string, long[]>? inputShapes)
    {
        var list = tensors.ToList();
        try
        {
            return Run(model, index, list, inputShapes, ProbeBatch);
        }
        catch (OnnxRuntimeException) when (HasSymbolicBatch(index))
        {
            // Some exports declare a symbolic batch but hard-code 1 inside (e.g. Reshape to [1, -1]): probe as such.
            return Run(model, index, list, inputShapes, 1);
        }
    }

    private static bool HasSymbolicBatch(GraphIndex index) =>
        index.Graph.Input.Where(i => index.GraphInputs.Contains(i.Name))
            .Any(i => i.Type?.TensorType?.Shape?.Dim is { Count: > 0 } d && !(d[0].HasDimValue && d[0].DimValue > 0));

    private static Dictionary<string, TensorFacts> Run(
        ModelProto model, GraphIndex index, List<string> tensors, IReadOnlyDictionary<string, long[]>? inputShapes, long batch)
    {
        var facts = new Dictionary<string, TensorFacts>(StringComparer.Ordinal);
        var wanted = new List<string>();
        foreach (var t in tensors.Distinct(StringComparer.Ordinal))
        {
            if (t.Length == 0) continue;
            if (index.Initializers.TryGetValue(t, out var init)) facts[t] = FromInitializer(init);
            else wanted.Add(t);
        }

        var probe = model.Clone();
        var existingOutputs = probe.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var feedShapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var input in probe.Graph.Input.Where(i => index.GraphInputs.Contains(i.Name)))
            feedShapes[input.Name] = ResolveInputShape(input, inputShapes, batch);
        foreach (var t in wanted.Where(t => !existingOutputs.Contains(t) && !feedShapes.ContainsKey(t)))
            probe.Graph.Output.Add(new ValueInfoProto { Name = t });

        var outputNames = wanted.Where(t => !feedShapes.ContainsKey(t)).ToList();
        var rng = new Random(1234);
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(BatchwiseRecurrentRewriter.Apply(probe).ToByteArray(), options);
        var inputValues = new List<OrtValue>();
        try
        {
            foreach (var input in probe.Graph.Input.Where(i => index.GraphInputs.Contains(i.Name)))
            {
                var shape = feedShapes[input.Name];
                var count = shape.Aggregate(1L, (a, b) => a * b);
                var elemType = input.Type.TensorType.ElemType;
                OrtValue value = elemType switch
                {
                    (int)TensorProto.Types.DataType.Float =>
                        OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, (int)count).Select(_ => (float)rng.NextDouble()).ToArray(), shape),
                    (int)TensorProto.Types.DataType.Double =>
                        OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, (int)count).Select(_ => rng.NextDouble()).ToArray(), shape),
                    (int)TensorProto.Types.DataType.Int64 => OrtValue.CreateTensorValueFromMemory(new long[count], shape),
                    _ => throw new NotSupportedException($"Model input '{input.Name}' has element type {elemType}; the probe feeds float, double or int64 inputs only."),
                };
                inputValues.Add(value);
                facts[input.Name] = new TensorFacts(shape, elemType, null);
            }
            var inputNames = probe.Graph.Input.Where(i => index.GraphInputs.Contains(i.Name)).Select(i => i.Name).ToList();
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputNames, inputValues, outputNames);
            for (int i = 0; i < outputNames.Count; i++)
                facts[outputNames[i]] = FromOrtValue(results[i]);
        }
        finally
        {
            foreach (var v in inputValues) v.Dispose();
        }
        return facts;
    }

    private static long[] ResolveInputShape(ValueInfoProto input, IReadOnlyDictionary<string, long[]>? overrides, long batch)
    {
        if (overrides is not null && overrides.TryGetValue(input.Name, out var given)) return given;
        var dims = input.Type?.TensorType?.Shape?.Dim;
        if (dims is null) throw new InvalidOperationException($"Model input '{input.Name}' has no declared shape; pass its shape in GradCamOptions.InputShapes.");
        var shape = new long[dims.Count];
        for (int i = 0; i < dims.Count; i++)
        {
            if (dims[i].HasDimValue && dims[i].DimValue > 0) shape[i] = dims[i].DimValue;
            else if (i == 0) shape[i] = batch;
            else throw new InvalidOperationException(
                $"Model input '{input.Name}' has a symbolic dimension at axis {i}; pass its concrete shape in GradCamOptions.InputShapes.");
        }
        return shape;
    }

    private static TensorFacts FromOrtValue(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        long[]? ints = null;
        int elemType;
        switch (info.ElementDataType)
        {
            case TensorElementType.Float: elemType = 1; break;
            case TensorElementType.Double: elemType = 11; break;
            case TensorElementType.Int64:
                elemType = 7;
                if (info.ElementCount <= 64) ints = value.GetTensorDataAsSpan<long>().ToArray();
                break;
            case TensorElementType.Int32:
                elemType = 6;
                if (info.ElementCount <= 64) ints = value.GetTensorDataAsSpan<int>().ToArray().Select(v => (long)v).ToArray();
                break;
            case TensorElementType.Bool: elemType = 9; break;
            case TensorElementType.Float16: elemType = 10; break;
            default: elemType = 0; break;
        }
        return new TensorFacts(shape, elemType, ints);
    }

    internal static TensorFacts FromInitializer(TensorProto t)
    {
        long[]? ints = null;
        var count = t.Dims.Aggregate(1L, (a, b) => a * b);
        if (t.DataType == (int)TensorProto.Types.DataType.Int64 && count <= 64)
        {
            ints = t.Int64Data.Count > 0
                ? t.Int64Data.ToArray()
                : Enumerable.Range(0, (int)count).Select(i => BitConverter.ToInt64(t.RawData.Span.Slice(i * 8, 8))).ToArray();
        }
        else if (t.DataType == (int)TensorProto.Types.DataType.Int32 && count <= 64)
        {
            ints = t.Int32Data.Count > 0
                ? t.Int32Data.Select(v => (long)v).ToArray()
                : Enumerable.Range(0, (int)count).Select(i => (long)BitConverter.ToInt32(t.RawData.Span.Slice(i * 4, 4))).ToArray();
        }
        return new TensorFacts(t.Dims.ToArray(), t.DataType, ints);
    }
}
