using EdgeAgent.Onnx.Graph;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeAgent.Onnx.Tests;

/// <summary>A float tensor fetched from ONNX Runtime: values copied out of the native buffer, and its shape.</summary>
internal sealed record TensorResult(float[] Values, long[] Shape);

/// <summary>Runs a ModelProto through a real ONNX Runtime CPU session (one thread: the test machine is shared).</summary>
internal static class OrtRunner
{
    public static Dictionary<string, TensorResult> Run(
        ModelProto model,
        IReadOnlyDictionary<string, (float[] Data, long[] Shape)> inputs,
        params string[] outputNames)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxModelFile.ToBytes(model), options);
        var names = inputs.Keys.ToArray();
        var values = new List<OrtValue>();
        try
        {
            foreach (var name in names)
            {
                values.Add(OrtValue.CreateTensorValueFromMemory(inputs[name].Data, inputs[name].Shape));
            }

            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, values, outputNames);
            var output = new Dictionary<string, TensorResult>();
            for (var i = 0; i < outputNames.Length; i++)
            {
                var value = results[i];
                output[outputNames[i]] = new TensorResult(
                    value.GetTensorDataAsSpan<float>().ToArray(),
                    value.GetTensorTypeAndShape().Shape);
            }

            return output;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    public static TensorResult RunOne(ModelProto model, string input, float[] data, long[] shape, string output) =>
        Run(model, new Dictionary<string, (float[], long[])> { [input] = (data, shape) }, output)[output];
}
