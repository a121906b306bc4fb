using System.Diagnostics;
using EdgeAgent.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference;

/// <summary>
/// Turns a preprocessed image tensor into a <see cref="Diagnosis"/>: probabilities per label (the model's own
/// probabilities, or a softmax of its logits, divided by the manifest's calibration temperature when one is set),
/// the predicted label, timings, and every class's CAM grid when the model has a CAM output — all from one Run.
/// Thread-safe: one instance (one session) serves concurrent callers.
/// </summary>
public sealed class Classifier : IDisposable
{
    private readonly ModelSession session;
    private readonly bool ownsSession;
    private readonly string[] inputNames;
    private readonly string[] outputNames;
    private readonly long[] inputShape;
    private readonly double temperature;

    private readonly FeatureStatistics? featureStatistics;

    /// <param name="featureStatistics">The package's feature statistics (<see cref="ModelPackage.FeatureStatistics"/>);
    /// with them every diagnosis carries its Mahalanobis distance to the nearest class.</param>
    public Classifier(ModelSession session, ModelManifest manifest, bool ownsSession = true, FeatureStatistics? featureStatistics = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(manifest);
        if (featureStatistics is not null && manifest.Outputs.Features is null)
        {
            throw new ModelContractException("feature statistics were given but the manifest names no outputs.features to measure them on");
        }

        this.featureStatistics = featureStatistics;
        this.session = session;
        this.ownsSession = ownsSession;
        Manifest = manifest;
        temperature = manifest.Safety?.Temperature ?? 1.0;
        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ModelContractException($"manifest safety.temperature must be a positive number (got {temperature})");
        }

        var inputs = session.Session.InputMetadata;
        var outputs = session.Session.OutputMetadata;
        if (!inputs.ContainsKey(manifest.Input.Name))
        {
            throw new ModelContractException(
                $"manifest input.name is '{manifest.Input.Name}' but the model's inputs are: {string.Join(", ", inputs.Keys)}");
        }

        var wanted = new List<string> { manifest.Outputs.Logits };
        AddOptional(wanted, manifest.Outputs.Probabilities);
        AddOptional(wanted, manifest.Outputs.Cam);
        AddOptional(wanted, manifest.Outputs.Features);
        foreach (var (field, name) in new[]
                 {
                     ("outputs.logits", manifest.Outputs.Logits), ("outputs.probabilities", manifest.Outputs.Probabilities),
                     ("outputs.cam", manifest.Outputs.Cam), ("outputs.features", manifest.Outputs.Features),
                 })
        {
            if (name is not null && !outputs.ContainsKey(name))
            {
                throw new ModelContractException(
                    $"manifest {field} is '{name}' but the model's outputs are: {string.Join(", ", outputs.Keys)}");
            }
        }

        inputNames = [manifest.Input.Name];
        outputNames = [.. wanted];
        inputShape = [1, Channels(manifest.Input), manifest.Input.Height, manifest.Input.Width];
    }

    public ModelManifest Manifest { get; }

    /// <summary>The execution provider in use.</summary>
    public string Provider => session.Provider;

    /// <summary>True when every result carries CAM grids.</summary>
    public bool HasCam => Manifest.Outputs.Cam is not null;

    /// <summary>Number of floats one image tensor holds: channels × height × width.</summary>
    public int TensorLength => checked((int)(inputShape[1] * inputShape[2] * inputShape[3]));

    /// <summary>
    /// Classifies one image given as an NCHW tensor [1, C, H, W] laid out as the manifest's input spec says.
    /// Cancelling <paramref name="cancellationToken"/> stops a Run in progress (RunOptions.Terminate).
    /// </summary>
    public Diagnosis Classify(float[] tensor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Length != TensorLength)
        {
            throw new ArgumentException(
                $"Input tensor has {tensor.Length} values; model input '{inputNames[0]}' needs {TensorLength} ({string.Join("x", inputShape)})",
                nameof(tensor));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        using var runOptions = new RunOptions();
        using var input = OrtValue.CreateTensorValueFromMemory(tensor, inputShape);
        IDisposableReadOnlyCollection<OrtValue> results;
        using (cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions))
        {
            try
            {
                results = session.Session.Run(runOptions, inputNames, [input], outputNames);
            }
            catch (OnnxRuntimeException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("Inference was cancelled while the model was running", ex, cancellationToken);
            }
        }

        using (results)
        {
            var inferenceMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var diagnosis = Interpret(results);
            var timings = new Dictionary<string, double>
            {
                ["inference"] = inferenceMs,
                ["postprocess"] = clock.Elapsed.TotalMilliseconds,
            };
            return diagnosis with { TimingsMs = timings };
        }
    }

    private Diagnosis Interpret(IReadOnlyList<OrtValue> results)
    {
        var labels = Manifest.Labels;
        var logits = ReadVector(results[0], labels.Count, Manifest.Outputs.Logits);
        var index = 1;
        double[] probabilities;
        if (Manifest.Outputs.Probabilities is not null)
        {
            var given = ReadVector(results[index++], labels.Count, Manifest.Outputs.Probabilities);
            // A calibration temperature applies to the logits, so the model's own probabilities are only used as-is when T = 1.
            probabilities = temperature == 1.0 ? [.. given.Select(p => (double)p)] : Softmax(logits, temperature);
        }
        else
        {
            probabilities = Softmax(logits, temperature);
        }

        Dictionary<string, ClassActivationMap>? cams = null;
        if (Manifest.Outputs.Cam is not null)
        {
            cams = ReadCams(results[index++], labels);
        }

        float[]? features = null;
        if (Manifest.Outputs.Features is not null)
        {
            features = results[index].GetTensorDataAsSpan<float>().ToArray();
        }

        double? featureDistance = null;
        if (featureStatistics is not null && features is not null)
        {
            if (features.Length != featureStatistics.Dimensions)
            {
                throw new ModelContractException(
                    $"Model output '{Manifest.Outputs.Features}' has {features.Length} values for one image; the feature statistics have {featureStatistics.Dimensions} dimensions");
            }

            featureDistance = featureStatistics.NearestClassDistance(features);
        }

        var best = 0;
        for (var i = 1; i < probabilities.Length; i++)
        {
            if (probabilities[i] > probabilities[best])
            {
                best = i;
            }
        }

        var byLabel = new Dictionary<string, double>(labels.Count);
        for (var i = 0; i < labels.Count; i++)
        {
            byLabel[labels[i]] = probabilities[i];
        }

        return new Diagnosis
        {
            Probabilities = byLabel,
            Label = labels[best],
            Logits = logits,
            TimingsMs = new Dictionary<string, double>(),
            Cams = cams,
            Features = features,
            FeatureDistance = featureDistance,
            Provider = session.Provider,
        };
    }

    private static float[] ReadVector(OrtValue value, int expected, string name)
    {
        var data = value.GetTensorDataAsSpan<float>();
        if (data.Length != expected)
        {
            throw new ModelContractException(
                $"Model output '{name}' has {data.Length} values for one image; the manifest lists {expected} labels");
        }

        return data.ToArray();
    }

    private Dictionary<string, ClassActivationMap> ReadCams(OrtValue value, IReadOnlyList<string> labels)
    {
        var shape = value.GetTensorTypeAndShape().Shape;
        if (shape.Length != 4 || shape[0] != 1 || shape[1] != labels.Count)
        {
            throw new ModelContractException(
                $"Model output '{Manifest.Outputs.Cam}' has shape [{string.Join(", ", shape)}]; expected [1, {labels.Count}, H, W]");
        }

        var height = checked((int)shape[2]);
        var width = checked((int)shape[3]);
        var plane = height * width;
        var data = value.GetTensorDataAsSpan<float>();
        var cams = new Dictionary<string, ClassActivationMap>(labels.Count);
        for (var k = 0; k < labels.Count; k++)
        {
            cams[labels[k]] = new ClassActivationMap(width, height, data.Slice(k * plane, plane).ToArray());
        }

        return cams;
    }

    /// <summary>softmax(z / T), computed in double after subtracting the maximum so no exponent overflows.</summary>
    internal static double[] Softmax(IReadOnlyList<float> logits, double temperature)
    {
        var max = double.NegativeInfinity;
        foreach (var z in logits)
        {
            max = Math.Max(max, z / temperature);
        }

        var result = new double[logits.Count];
        var sum = 0.0;
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Math.Exp(logits[i] / temperature - max);
            sum += result[i];
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] /= sum;
        }

        return result;
    }

    private static int Channels(InputSpec input) => input.Channels == ChannelOrder.Gray ? 1 : 3;

    private static void AddOptional(List<string> names, string? name)
    {
        if (name is not null)
        {
            names.Add(name);
        }
    }

    public void Dispose()
    {
        if (ownsSession)
        {
            session.Dispose();
        }
    }
}
