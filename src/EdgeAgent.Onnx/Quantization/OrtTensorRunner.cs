using EdgeAgent.Onnx.Graph;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// An ONNX Runtime session over a model with one float input, fetching chosen float tensors (graph outputs or any
/// intermediate, which are added as outputs). Used by calibration and validation only.
/// </summary>
internal sealed class OrtTensorRunner : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly string inputName;
    private readonly long[] inputShape;

    public OrtTensorRunner(ModelProto model, IEnumerable<string> tensors, long[] inputShape, int threads)
    {
        var augmented = model.Clone();
        var outputs = augmented.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            if (outputs.Add(tensor))
            {
                augmented.Graph.Output.Add(new ValueInfoProto
                {
                    Name = tensor,
                    Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
                });
            }
        }

        var initializerNames = augmented.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = augmented.Graph.Input.Where(i => !initializerNames.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
        {
            throw new InvalidOperationException($"Calibration needs a model with exactly one input; this one has {inputs.Count}.");
        }

        inputName = inputs[0].Name;
        this.inputShape = inputShape;
        OutputNames = [.. augmented.Graph.Output.Select(o => o.Name)];
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        session = new InferenceSession(OnnxModelFile.ToBytes(augmented), sessionOptions);
    }

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Runs one sample and hands each fetched tensor to <paramref name="visit"/> (valid only during the call).</summary>
    public void Run(float[] input, IReadOnlyList<string> fetch, Action<string, ReadOnlySpan<float>> visit)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        using var results = session.Run(runOptions, [inputName], [value], fetch);
        for (var i = 0; i < fetch.Count; i++)
        {
            visit(fetch[i], results[i].GetTensorDataAsSpan<float>());
        }
    }

    public void Dispose()
    {
        runOptions.Dispose();
        session.Dispose();
    }
}
