using Google.Protobuf;
using EdgeAgent.Onnx.Packaging;
using Onnx;

namespace EdgeAgent.Inference.Tests;

/// <summary>
/// Small ONNX graphs written straight in protobuf for these tests, so the inference layer is tested against real
/// ONNX Runtime sessions whose arithmetic can be recomputed by hand here.
/// </summary>
internal static class TestModels
{
    public const int Side = 8;
    public static readonly string[] Labels = ["covid", "pneumonia", "normal"];

    // 1×1 convolution 3 -> 4 channels, then ReLU: the "target layer" A.
    public static readonly float[] ConvWeights =
    [
        0.5f, -0.25f, 0.1f,
        -0.3f, 0.8f, 0.2f,
        0.05f, 0.1f, -0.6f,
        0.4f, 0.4f, 0.4f,
    ];
    public static readonly float[] ConvBias = [0.1f, -0.05f, 0.2f, 0f];

    // Dense 4 -> 3 over the globally averaged A.
    public static readonly float[] DenseWeights =
    [
        1.0f, -0.5f, 0.25f, 0.3f,
        -0.4f, 0.9f, 0.1f, -0.2f,
        0.2f, 0.1f, -0.7f, 0.6f,
    ];
    public static readonly float[] DenseBias = [0.05f, -0.1f, 0.0f];

    /// <summary>
    /// Conv1×1 → ReLU (A) → GlobalAveragePool → Flatten → Gemm (logits) → Softmax (probabilities), plus
    /// "cam" = ReLU(Σ_k W[c,k]/(H·W) · A_k): for GAP + linear that is exactly Grad-CAM, because dScore_c/dA_k = W[c,k]/(H·W).
    /// </summary>
    public static byte[] GapModel(bool withProbabilities = true, bool withCam = true)
    {
        var graph = new GraphProto { Name = "gap" };
        graph.Input.Add(TensorInput("image", 3, Side));
        graph.Initializer.Add(Tensor("conv_w", ConvWeights, 4, 3, 1, 1));
        graph.Initializer.Add(Tensor("conv_b", ConvBias, 4));
        graph.Initializer.Add(Tensor("dense_w", DenseWeights, 3, 4));
        graph.Initializer.Add(Tensor("dense_b", DenseBias, 3));
        var camWeights = DenseWeights.Select(w => w / (Side * Side)).ToArray();
        graph.Initializer.Add(Tensor("cam_w", camWeights, 3, 4, 1, 1));
        graph.Node.Add(Node("Conv", ["image", "conv_w", "conv_b"], ["conv"]));
        graph.Node.Add(Node("Relu", ["conv"], ["A"]));
        graph.Node.Add(Node("GlobalAveragePool", ["A"], ["pooled"]));
        graph.Node.Add(Node("Flatten", ["pooled"], ["flat"]));
        var gemm = Node("Gemm", ["flat", "dense_w", "dense_b"], ["logits"]);
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(gemm);
        graph.Output.Add(DynamicOutput("logits"));
        if (withProbabilities)
        {
            graph.Node.Add(Node("Softmax", ["logits"], ["probabilities"]));
            graph.Output.Add(DynamicOutput("probabilities"));
        }

        if (withCam)
        {
            graph.Node.Add(Node("Conv", ["A", "cam_w"], ["cam_raw"]));
            graph.Node.Add(Node("Relu", ["cam_raw"], ["cam"]));
            graph.Output.Add(DynamicOutput("cam"));
        }

        return Serialize(graph);
    }

    public static ModelManifest GapManifest(bool withProbabilities = true, bool withCam = true, double? temperature = null) => new()
    {
        Name = "test-gap-untrained",
        Version = "0.0.1",
        Labels = Labels,
        Input = new InputSpec { Name = "image", Width = Side, Height = Side },
        Outputs = new OutputSpec
        {
            Logits = "logits",
            Probabilities = withProbabilities ? "probabilities" : null,
            Cam = withCam ? "cam" : null,
        },
        TargetLayer = withCam ? "A" : null,
        Sha256 = new string('0', 64),
        Safety = temperature is null ? null : new SafetySpec { Temperature = temperature.Value },
    };

    /// <summary>
    /// A deliberately slow graph (a chain of 1024×1024 matrix products, ~2 GFLOP each) so a Run is still in
    /// progress when a test cancels it. Grey input [1,1,1024,1024]; logits [1,3].
    /// </summary>
    public static byte[] SlowModel(int products = 100)
    {
        const int n = 1024;
        var graph = new GraphProto { Name = "slow" };
        graph.Input.Add(TensorInput("image", 1, n));
        // 1/n keeps every product bounded: each row of x·W is the mean of that row of x.
        graph.Initializer.Add(Tensor("w", Enumerable.Repeat(1f / n, n * n).ToArray(), n, n));
        graph.Initializer.Add(Tensor("head", Enumerable.Repeat(1f, n * 3).ToArray(), n, 3));
        var current = "image";
        for (var i = 0; i < products; i++)
        {
            graph.Node.Add(Node("MatMul", [current, "w"], [$"p{i}"]));
            current = $"p{i}";
        }

        var reduce = Node("ReduceMean", [current], ["rows"]);
        reduce.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 2 } });
        reduce.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Node.Add(reduce);
        graph.Node.Add(Node("MatMul", ["rows", "head"], ["logits"]));
        graph.Output.Add(DynamicOutput("logits"));
        return Serialize(graph);
    }

    public static ModelManifest SlowManifest() => new()
    {
        Name = "test-slow-untrained",
        Version = "0.0.1",
        Labels = Labels,
        Input = new InputSpec { Name = "image", Width = 1024, Height = 1024, Channels = ChannelOrder.Gray },
        Outputs = new OutputSpec { Logits = "logits" },
        Sha256 = new string('0', 64),
    };

    private static byte[] Serialize(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "EdgeAgent.Inference.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model.ToByteArray();
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{outputs[0]}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static TensorProto Tensor(string name, float[] data, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(data);
        return tensor;
    }

    private static ValueInfoProto TensorInput(string name, int channels, int side)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = channels });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = side });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = side });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static ValueInfoProto DynamicOutput(string name) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
    };
}
