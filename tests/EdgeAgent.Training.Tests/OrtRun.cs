using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeAgent.Training.Tests;

/// <summary>Runs a model in a real ONNX Runtime session and returns the named float outputs.</summary>
internal static class OrtRun
{
    public static Dictionary<string, float[]> Run(ModelProto model, string inputName, float[] input, long[] shape, params string[] outputs)
    {
        using var session = new InferenceSession(model.ToByteArray());
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [value], outputs);
        return outputs.Select((name, i) => (name, data: results[i].GetTensorDataAsSpan<float>().ToArray())).ToDictionary(x => x.name, x => x.data);
    }

    /// <summary>max |a - b| / max |b|: the error relative to the reference's scale.</summary>
    public static double RelativeError(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxRef = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }

        return maxDiff / Math.Max(maxRef, 1e-12);
    }
}
