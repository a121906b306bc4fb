using Microsoft.ML.OnnxRuntime.Tensors;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>Runs a model in a real ONNX Runtime CPU session and returns outputs widened to double.</summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;

    public OrtRunner(ModelProto model)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        _session = new InferenceSession(model.ToByteArray(), options);
    }

    public IReadOnlyList<(double[] Data, long[] Shape)> Run(IReadOnlyDictionary<string, (double[] Data, long[] Shape)> inputs, bool asDouble, params string[] outputs)
    {
        var names = inputs.Keys.ToList();
        var values = new List<OrtValue>();
        try
        {
            foreach (var name in names)
            {
                var (data, shape) = inputs[name];
                values.Add(asDouble
                    ? OrtValue.CreateTensorValueFromMemory(data.ToArray(), shape)
                    : OrtValue.CreateTensorValueFromMemory(data.Select(v => (float)v).ToArray(), shape));
            }
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, names, values, outputs);
            return results.Select(r =>
            {
                var info = r.GetTensorTypeAndShape();
                var data = info.ElementDataType == TensorElementType.Double
                    ? r.GetTensorDataAsSpan<double>().ToArray()
                    : r.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray();
                return (data, info.Shape);
            }).ToList();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    public (double[] Data, long[] Shape) RunOne(string input, double[] data, long[] shape, bool asDouble, string output) =>
        Run(new Dictionary<string, (double[], long[])> { [input] = (data, shape) }, asDouble, output)[0];

    public void Dispose() => _session.Dispose();
}
