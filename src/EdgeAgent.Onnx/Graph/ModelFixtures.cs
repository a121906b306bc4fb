using System.Globalization;

namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// Seeded CNN-RNN models in the shape of Islam et al. 2020 (feature map → one sequence step per
/// spatial position → recurrent layer → dense head) for tests and benchmarks. Weights are random:
/// these models diagnose nothing.
/// </summary>
public static class ModelFixtures
{
    public const string InputName = "input";
    public const string FeatureMapName = "features";
    public const string LogitsName = "logits";
    public const string ProbabilitiesName = "probabilities";

    /// <summary>The class order every fixture uses.</summary>
    public static IReadOnlyList<string> Labels { get; } = ["covid", "pneumonia", "normal"];

    /// <summary>
    /// Tiny CNN-LSTM: two 3×3 convs (8, 16 channels) with pools → "features" [N,16,S/2,S/2] → pool →
    /// (S/4)² steps × 16 → LSTM 12 units with ReLU cell/hidden activations (as the paper's code) →
    /// BatchNorm → Flatten → Dense 32 ReLU → Dropout → BatchNorm → Dense 3 → Softmax.
    /// </summary>
    public static ModelFixture TinyCnnLstm(ulong seed = 1, int size = 32) =>
        TinyRecurrent("tiny-cnn-lstm", seed, size, useGru: false);

    /// <summary>As <see cref="TinyCnnLstm"/> with a GRU (linear_before_reset = 1, default activations)
    /// and the dense layers as MatMul + Add (the tf2onnx form).</summary>
    public static ModelFixture TinyCnnGru(ulong seed = 1, int size = 32) =>
        TinyRecurrent("tiny-cnn-gru", seed, size, useGru: true);

    /// <summary>
    /// Tiny CNN with global average pooling: two 3×3 convs → "features" [N,16,S/2,S/2] →
    /// GlobalAveragePool → Flatten → Dense 3 (Gemm) → Softmax. Its Grad-CAM has a closed form.
    /// </summary>
    public static ModelFixture TinyCnnGap(ulong seed = 1, int size = 32)
    {
        RequireSize(size, 2);
        var (graph, layers) = Start("tiny-cnn-gap", seed, size);
        var x = Backbone(layers, [(3, 8), (8, 16)], poolBetween: true);
        var pooled = layers.GlobalAveragePool(x);
        var flat = layers.Flatten(pooled);
        var logits = layers.Dense(flat, 16, Labels.Count, output: LogitsName);
        Finish(graph, layers, logits);
        return Describe("tiny-cnn-gap", graph, layers, seed, size, [16, size / 2, size / 2]);
    }

    /// <summary>
    /// The paper-shaped VGG19-RNN at 224×224×3: VGG19's 16 3×3 convs and 5 max-pools (target
    /// "features" = the ReLU of conv5_4, [N,512,14,14]) → 7×7×512 → 49 steps × 512 (row-major) →
    /// LSTM 512 units, activations Sigmoid/ReLU/ReLU, all steps → BatchNorm → Flatten →
    /// Dense 4096 ReLU → BatchNorm → Dense 4096 ReLU → BatchNorm → Dense 3 → Softmax.
    /// About 142 M parameters (≈ 567 MB): build it on demand into a temp folder, never commit it.
    /// </summary>
    public static ModelFixture Vgg19Rnn(ulong seed = 1)
    {
        const int size = 224;
        var (graph, layers) = Start("vgg19-rnn", seed, size);
        (int In, int Out)[] blocks =
        [
            (3, 64), (64, 64), (0, 0),
            (64, 128), (128, 128), (0, 0),
            (128, 256), (256, 256), (256, 256), (256, 256), (0, 0),
            (256, 512), (512, 512), (512, 512), (512, 512), (0, 0),
            (512, 512), (512, 512), (512, 512), (512, 512),
        ];
        var x = InputName;
        for (var i = 0; i < blocks.Length; i++)
        {
            var (inChannels, outChannels) = blocks[i];
            if (inChannels == 0)
            {
                x = layers.MaxPool(x);
                continue;
            }

            var conv = layers.Conv(x, inChannels, outChannels, 3);
            x = layers.Relu(conv, i == blocks.Length - 1 ? FeatureMapName : null);
        }

        var pooled = layers.MaxPool(x);
        var logits = PaperHead(layers, pooled, channels: 512, steps: 49, units: 512, dense: [4096, 4096], useGru: false,
            form: DenseForm.Gemm, dropout: false);
        Finish(graph, layers, logits);
        return Describe("vgg19-rnn", graph, layers, seed, size, [512, 14, 14]);
    }

    private static ModelFixture TinyRecurrent(string name, ulong seed, int size, bool useGru)
    {
        RequireSize(size, 4);
        var (graph, layers) = Start(name, seed, size);
        var x = Backbone(layers, [(3, 8), (8, 16)], poolBetween: true);
        var pooled = layers.MaxPool(x);
        var steps = (size / 4) * (size / 4);
        var logits = PaperHead(layers, pooled, channels: 16, steps: steps, units: 12, dense: [32], useGru: useGru,
            form: useGru ? DenseForm.MatMulAdd : DenseForm.Gemm, dropout: true);
        Finish(graph, layers, logits);
        return Describe(name, graph, layers, seed, size, [16, size / 2, size / 2]);
    }

    private static (GraphBuilder Graph, LayerBuilder Layers) Start(string name, ulong seed, int size)
    {
        var graph = new GraphBuilder(name);
        graph.AddFloatInput(InputName, TensorDim.Batch, 3, size, size);
        graph.SetMetadata("edgeagent.fixture", name);
        graph.SetMetadata("edgeagent.seed", seed.ToString(CultureInfo.InvariantCulture));
        graph.SetMetadata("edgeagent.trained", "false");
        return (graph, new LayerBuilder(graph, seed));
    }

    /// <summary>3×3 conv + ReLU per stage with a 2×2 max-pool between stages; the last ReLU is "features".</summary>
    private static string Backbone(LayerBuilder layers, (int In, int Out)[] stages, bool poolBetween)
    {
        var x = InputName;
        for (var i = 0; i < stages.Length; i++)
        {
            if (i > 0 && poolBetween)
            {
                x = layers.MaxPool(x);
            }

            var conv = layers.Conv(x, stages[i].In, stages[i].Out, 3);
            x = layers.Relu(conv, i == stages.Length - 1 ? FeatureMapName : null);
        }

        return x;
    }

    /// <summary>
    /// Feature map [N,C,H,W] → sequence of H·W steps (row-major) × C → recurrent layer returning all
    /// steps → BatchNorm over units → Flatten [N, steps·units] (step-major, as Keras flattens) →
    /// (Dense ReLU [Dropout] BatchNorm)* → Dense classes = "logits".
    /// </summary>
    private static string PaperHead(
        LayerBuilder layers, string featureMap, int channels, int steps, int units, int[] dense,
        bool useGru, DenseForm form, bool dropout)
    {
        var chw = layers.Reshape(featureMap, [0, channels, -1]);            // [N, C, T]
        var sequence = layers.Transpose(chw, [2, 0, 1]);                    // [T, N, C]
        var recurrent = useGru
            ? layers.Gru(sequence, channels, units)
            : layers.Lstm(sequence, channels, units, ["Sigmoid", "Relu", "Relu"]);
        var y = layers.Squeeze(recurrent.Y, [1]);                           // [T, N, U]
        var unitsFirst = layers.Transpose(y, [1, 2, 0]);                    // [N, U, T]
        var normalized = layers.BatchNormalization(unitsFirst, units);
        var stepsFirst = layers.Transpose(normalized, [0, 2, 1]);           // [N, T, U]
        var x = layers.Flatten(stepsFirst);                                 // [N, T·U]
        var width = steps * units;
        foreach (var size in dense)
        {
            x = layers.Relu(layers.Dense(x, width, size, form));
            if (dropout)
            {
                x = layers.Dropout(x);
            }

            x = layers.BatchNormalization(x, size);
            width = size;
        }

        return layers.Dense(x, width, Labels.Count, form, output: LogitsName);
    }

    private static void Finish(GraphBuilder graph, LayerBuilder layers, string logits)
    {
        layers.Softmax(logits, axis: 1, output: ProbabilitiesName);
        graph.AddFloatOutput(LogitsName, TensorDim.Batch, Labels.Count);
        graph.AddFloatOutput(ProbabilitiesName, TensorDim.Batch, Labels.Count);
    }

    private static ModelFixture Describe(
        string name, GraphBuilder graph, LayerBuilder layers, ulong seed, int size, int[] featureMapShape) =>
        new()
        {
            Name = name,
            Seed = seed,
            ParameterCount = layers.ParameterCount,
            Model = graph.Build(),
            InputName = InputName,
            Channels = 3,
            Height = size,
            Width = size,
            FeatureMapName = FeatureMapName,
            FeatureMapShape = featureMapShape,
            Labels = Labels,
        };

    private static void RequireSize(int size, int multiple)
    {
        if (size < multiple || size % multiple != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The input size must be a positive multiple of {multiple}.");
        }
    }
}
