using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Quantization;
using Onnx;

namespace EdgeAgent.Onnx.Tests.Quantization;

public sealed class Fp16ConverterTests
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Float16 = (int)TensorProto.Types.DataType.Float16;

    [Fact]
    public void Forward_weights_become_float16_while_interface_and_CAM_subgraph_stay_float32()
    {
        var fixture = ModelFixtures.TinyCnnLstm(seed: 3, size: 16);
        var withCam = GradCamTransform.Apply(fixture.Model, new GradCamOptions { TargetTensor = fixture.FeatureMapName }).Model;
        var half = Fp16Converter.Convert(withCam, new HashSet<string>(["cam"], StringComparer.Ordinal));

        Assert.All(half.Graph.Input, i => Assert.Equal(Float, i.Type.TensorType.ElemType));
        Assert.Equal(withCam.Graph.Output.Select(o => o.Name), half.Graph.Output.Select(o => o.Name));
        var convWeights = half.Graph.Node.Where(n => n.OpType == "Conv").Select(n => n.Input[1]).ToList();
        Assert.All(convWeights, w => Assert.Equal(Float16, half.Graph.Initializer.Single(t => t.Name == w).DataType));
        Assert.Contains(half.Graph.Node, n => n.OpType == "LSTM" && n.Input.Skip(1).Take(2).All(w => half.Graph.Initializer.Single(t => t.Name == w).DataType == Float16));
        // The gradient subgraph reads float32 only: casts of forward tensors and float32 initializers.
        var gradient = half.Graph.Node.Where(n => n.Name.StartsWith("gradcam/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(gradient);
        var halfTensors = half.Graph.Node.Where(n => n.OpType != "Cast" || n.Attribute.Single(a => a.Name == "to").I == Float16)
            .Where(n => !n.Name.StartsWith("gradcam/", StringComparison.Ordinal))
            .SelectMany(n => n.Output).Where(o => o.EndsWith("_fp16", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(gradient, n => n.Input.Any(halfTensors.Contains));
        Assert.DoesNotContain(gradient, n => n.Input.Any(i => half.Graph.Initializer.Any(t => t.Name == i && t.DataType == Float16)));
    }

    [Fact]
    public void The_float16_model_runs_and_follows_the_float32_model()
    {
        var fixture = ModelFixtures.TinyCnnGap(seed: 3, size: 16);
        var withCam = GradCamTransform.Apply(fixture.Model).Model;
        var half = Fp16Converter.Convert(withCam, new HashSet<string>(["cam"], StringComparer.Ordinal));
        var input = QuantizationFixtures.Images(1, 3, 16)[0].Tensor;
        var expected = OrtRunner.Run(withCam, new Dictionary<string, (float[], long[])> { ["input"] = (input, [1, 3, 16, 16]) }, "logits", "cam");
        var actual = OrtRunner.Run(half, new Dictionary<string, (float[], long[])> { ["input"] = (input, [1, 3, 16, 16]) }, "logits", "cam");
        Assert.Equal(expected["cam"].Shape, actual["cam"].Shape);
        Assert.All(actual["cam"].Values, v => Assert.True(float.IsFinite(v)));
        // float16 keeps 11 significant bits (unit roundoff u = 2^-11). Weights are rounded once (relative u) and every
        // stored activation once more; this graph has 6 stored stages (input cast, conv, relu, pool, conv, relu/pool)
        // plus the Gemm, and the dot products themselves are accumulated in float32 (the CPU provider computes float16
        // ops through float32 casts). So each logit is off by at most about 2·8·u of the magnitude flowing into it,
        // bounded by 1 + max|logit| (bias included).
        var bound = 2 * 8 * Math.Pow(2, -11) * (1 + expected["logits"].Values.Max(Math.Abs));
        for (var k = 0; k < 3; k++)
        {
            Assert.True(Math.Abs(expected["logits"].Values[k] - actual["logits"].Values[k]) <= bound,
                $"logit {k}: {expected["logits"].Values[k]} vs {actual["logits"].Values[k]} (bound {bound:g3})");
        }
    }
}
