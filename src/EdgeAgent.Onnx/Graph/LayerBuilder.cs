namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// Neural-network layers on top of a <see cref="GraphBuilder"/>, with weights drawn from a seeded
/// <see cref="DeterministicRandom"/>: the same seed and the same calls give byte-identical models.
/// Every method takes its input tensor name and returns its output tensor name; an optional
/// <c>output</c> names the result (e.g. "logits"), otherwise a unique name is generated.
/// </summary>
public sealed class LayerBuilder
{
    private readonly DeterministicRandom random;

    public LayerBuilder(GraphBuilder graph, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Graph = graph;
        random = new DeterministicRandom(seed);
    }

    public GraphBuilder Graph { get; }

    /// <summary>Float values placed in initializers by this builder (weights, biases, BatchNorm statistics).</summary>
    public long ParameterCount { get; private set; }

    /// <summary>
    /// 2-D convolution, square kernel, He-uniform weights (limit √(6 / fan_in), suited to a ReLU after it)
    /// and a small random bias. Padding defaults to "same" for odd kernels at stride 1.
    /// </summary>
    public string Conv(
        string x, int inChannels, int outChannels, int kernel,
        int stride = 1, int? padding = null, bool bias = true, string? output = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        var pad = padding ?? kernel / 2;
        var prefix = Graph.UniqueName("conv");
        var fanIn = inChannels * kernel * kernel;
        var weight = AddWeights($"{prefix}_W", random.UniformArray(outChannels * fanIn, Math.Sqrt(6.0 / fanIn)),
            outChannels, inChannels, kernel, kernel);
        List<string> inputs = [x, weight];
        if (bias)
        {
            inputs.Add(AddWeights($"{prefix}_B", random.UniformArray(outChannels, 0.05), outChannels));
        }

        return Node("Conv", inputs, output,
            NodeAttribute.Ints("kernel_shape", kernel, kernel),
            NodeAttribute.Ints("strides", stride, stride),
            NodeAttribute.Ints("pads", pad, pad, pad, pad),
            NodeAttribute.Ints("dilations", 1, 1),
            NodeAttribute.Int("group", 1));
    }

    public string Relu(string x, string? output = null) => Node("Relu", [x], output);

    public string Sigmoid(string x, string? output = null) => Node("Sigmoid", [x], output);

    public string Tanh(string x, string? output = null) => Node("Tanh", [x], output);

    public string MaxPool(string x, int kernel = 2, int? stride = null, string? output = null) =>
        Node("MaxPool", [x], output,
            NodeAttribute.Ints("kernel_shape", kernel, kernel),
            NodeAttribute.Ints("strides", stride ?? kernel, stride ?? kernel));

    /// <summary>Average pooling without padding (count_include_pad is irrelevant then).</summary>
    public string AveragePool(string x, int kernel = 2, int? stride = null, string? output = null) =>
        Node("AveragePool", [x], output,
            NodeAttribute.Ints("kernel_shape", kernel, kernel),
            NodeAttribute.Ints("strides", stride ?? kernel, stride ?? kernel));

    public string GlobalAveragePool(string x, string? output = null) => Node("GlobalAveragePool", [x], output);

    /// <summary>
    /// Inference-form BatchNormalization over axis 1 with seeded, deliberately non-identity
    /// statistics: scale in [0.8, 1.2), bias in [-0.1, 0.1), mean in [-0.1, 0.1), variance in [0.5, 1.5).
    /// </summary>
    public string BatchNormalization(string x, int channels, float epsilon = 1e-3f, string? output = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        var prefix = Graph.UniqueName("bn");
        var scale = AddWeights($"{prefix}_scale", random.UniformArray(channels, 0.8, 1.2), channels);
        var shift = AddWeights($"{prefix}_bias", random.UniformArray(channels, -0.1, 0.1), channels);
        var mean = AddWeights($"{prefix}_mean", random.UniformArray(channels, -0.1, 0.1), channels);
        var variance = AddWeights($"{prefix}_var", random.UniformArray(channels, 0.5, 1.5), channels);
        return Node("BatchNormalization", [x, scale, shift, mean, variance], output,
            NodeAttribute.Float("epsilon", epsilon));
    }

    /// <summary>
    /// Fully connected layer on [N, in] with Glorot-uniform weights (limit √(6 / (in + out)))
    /// and a small random bias.
    /// </summary>
    public string Dense(string x, int inFeatures, int outFeatures, DenseForm form = DenseForm.Gemm, string? output = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        var prefix = Graph.UniqueName("dense");
        var limit = Math.Sqrt(6.0 / (inFeatures + outFeatures));
        var values = random.UniformArray(checked(inFeatures * outFeatures), limit);
        var biasValues = random.UniformArray(outFeatures, 0.05);
        if (form == DenseForm.Gemm)
        {
            var weight = AddWeights($"{prefix}_W", values, outFeatures, inFeatures);
            var bias = AddWeights($"{prefix}_B", biasValues, outFeatures);
            return Node("Gemm", [x, weight, bias], output,
                NodeAttribute.Float("alpha", 1f),
                NodeAttribute.Float("beta", 1f),
                NodeAttribute.Int("transA", 0),
                NodeAttribute.Int("transB", 1));
        }

        var matrix = AddWeights($"{prefix}_W", values, inFeatures, outFeatures);
        var offset = AddWeights($"{prefix}_B", biasValues, outFeatures);
        var product = Node("MatMul", [x, matrix], null);
        return Node("Add", [product, offset], output);
    }

    public string Flatten(string x, int axis = 1, string? output = null) =>
        Node("Flatten", [x], output, NodeAttribute.Int("axis", axis));

    /// <summary>Reshape to a constant shape; 0 copies the input's dimension (keeps a dynamic batch), -1 infers one.</summary>
    public string Reshape(string x, long[] shape, string? output = null) =>
        Node("Reshape", [x, Graph.AddInt64Constant("shape", shape)], output);

    public string Transpose(string x, long[] perm, string? output = null) =>
        Node("Transpose", [x], output, NodeAttribute.Ints("perm", perm));

    public string Squeeze(string x, long[] axes, string? output = null) =>
        Node("Squeeze", [x, Graph.AddInt64Constant("axes", axes)], output);

    public string Softmax(string x, int axis = -1, string? output = null) =>
        Node("Softmax", [x], output, NodeAttribute.Int("axis", axis));

    /// <summary>Dropout in inference form (no training_mode input): ONNX Runtime treats it as identity.</summary>
    public string Dropout(string x, float ratio = 0.5f, string? output = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ratio);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(ratio, 1f);
        var ratioName = Graph.AddInitializer(Graph.UniqueName("dropout_ratio"), [ratio]);
        return Node("Dropout", [x, ratioName], output);
    }

    /// <summary>
    /// ONNX LSTM (layout 0: X is [seq, batch, input]); gates in ONNX order i, o, f, c.
    /// <paramref name="activations"/> are f, g, h per direction, e.g. ["Sigmoid","Relu","Relu"] as in the paper's code;
    /// default ["Sigmoid","Tanh","Tanh"]. The forget-gate bias starts at 1 (as Keras' unit_forget_bias).
    /// </summary>
    public RecurrentLayerOutputs Lstm(
        string x, int inputSize, int hiddenSize,
        IReadOnlyList<string>? activations = null,
        RecurrentDirection direction = RecurrentDirection.Forward,
        string? output = null)
    {
        var outputs = Recurrent("LSTM", 4, x, inputSize, hiddenSize, activations, direction, output, [],
            bias =>
            {
                // B = [Wb (i,o,f,c), Rb (i,o,f,c)] per direction; raise Wb's forget block.
                for (var d = 0; d < bias.Length / (8 * hiddenSize); d++)
                {
                    var start = (d * 8 * hiddenSize) + (2 * hiddenSize);
                    for (var k = 0; k < hiddenSize; k++)
                    {
                        bias[start + k] += 1f;
                    }
                }
            });
        return outputs;
    }

    /// <summary>
    /// ONNX GRU (layout 0); gates in ONNX order z, r, h. <paramref name="linearBeforeReset"/> = true is the
    /// form PyTorch exports.
    /// </summary>
    public RecurrentLayerOutputs Gru(
        string x, int inputSize, int hiddenSize,
        IReadOnlyList<string>? activations = null,
        RecurrentDirection direction = RecurrentDirection.Forward,
        bool linearBeforeReset = true,
        string? output = null) =>
        Recurrent("GRU", 3, x, inputSize, hiddenSize, activations, direction, output,
            [NodeAttribute.Int("linear_before_reset", linearBeforeReset ? 1 : 0)], static _ => { });

    /// <summary>ONNX RNN (layout 0), default activation Tanh.</summary>
    public RecurrentLayerOutputs Rnn(
        string x, int inputSize, int hiddenSize,
        IReadOnlyList<string>? activations = null,
        RecurrentDirection direction = RecurrentDirection.Forward,
        string? output = null) =>
        Recurrent("RNN", 1, x, inputSize, hiddenSize, activations, direction, output, [], static _ => { });

    private RecurrentLayerOutputs Recurrent(
        string opType, int gates, string x, int inputSize, int hiddenSize,
        IReadOnlyList<string>? activations, RecurrentDirection direction, string? output,
        IReadOnlyList<NodeAttribute> extraAttributes, Action<float[]> adjustBias)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        var directions = direction == RecurrentDirection.Bidirectional ? 2 : 1;
        var prefix = Graph.UniqueName(opType.ToLowerInvariant());
        var gateRows = gates * hiddenSize;

        // Input weights: Glorot uniform over (input, gates·hidden) as Keras does for the kernel.
        var w = AddWeights($"{prefix}_W",
            random.UniformArray(directions * gateRows * inputSize, Math.Sqrt(6.0 / (inputSize + gateRows))),
            directions, gateRows, inputSize);

        // Recurrent weights: entries of variance a²/3 with a = 0.5·√(3/H) give a spectral radius near 0.5,
        // so a ReLU cell over 49 steps neither explodes nor dies.
        var r = AddWeights($"{prefix}_R",
            random.UniformArray(directions * gateRows * hiddenSize, 0.5 * Math.Sqrt(3.0 / hiddenSize)),
            directions, gateRows, hiddenSize);

        var biasValues = random.UniformArray(directions * 2 * gateRows, 0.1);
        adjustBias(biasValues);
        var b = AddWeights($"{prefix}_B", biasValues, directions, 2 * gateRows);

        var y = output ?? Graph.UniqueName($"{prefix}_Y");
        var yh = Graph.UniqueName($"{prefix}_Y_h");
        var yc = opType == "LSTM" ? Graph.UniqueName($"{prefix}_Y_c") : null;
        List<string> outputs = [y, yh];
        if (yc is not null)
        {
            outputs.Add(yc);
        }

        List<NodeAttribute> attributes =
        [
            NodeAttribute.Int("hidden_size", hiddenSize),
            NodeAttribute.String("direction", direction switch
            {
                RecurrentDirection.Forward => "forward",
                RecurrentDirection.Reverse => "reverse",
                _ => "bidirectional",
            }),
            .. extraAttributes,
        ];
        if (activations is not null)
        {
            var perDirection = opType switch { "LSTM" => 3, "GRU" => 2, _ => 1 };
            if (activations.Count != perDirection && activations.Count != perDirection * directions)
            {
                throw new ArgumentException(
                    $"{opType} takes {perDirection} activations per direction; {activations.Count} were given.",
                    nameof(activations));
            }

            var all = activations.Count == perDirection && directions == 2
                ? activations.Concat(activations).ToArray()
                : activations.ToArray();
            attributes.Add(NodeAttribute.Strings("activations", all));
        }

        Graph.AddNode(opType, [x, w, r, b], outputs, attributes, Graph.UniqueName($"{prefix}_node"));
        return new RecurrentLayerOutputs(y, yh, yc);
    }

    private string AddWeights(string name, float[] values, params long[] shape)
    {
        ParameterCount += values.Length;
        return Graph.AddInitializer(Graph.UniqueName(name), values, shape);
    }

    private string Node(string opType, IReadOnlyList<string> inputs, string? output, params NodeAttribute[] attributes) =>
        output is null
            ? Graph.AddNode(opType, inputs, attributes)
            : Graph.AddNode(opType, inputs, [output], attributes)[0];
}
