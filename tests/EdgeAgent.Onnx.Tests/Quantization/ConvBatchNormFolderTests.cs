using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Quantization;

namespace EdgeAgent.Onnx.Tests.Quantization;

public sealed class ConvBatchNormFolderTests
{
    [Fact]
    public void Folding_removes_the_BatchNorm_and_matches_the_original_to_float32_rounding()
    {
        var original = QuantizationFixtures.ConvBatchNorm();
        var folded = original.Clone();
        Assert.Equal(1, ConvBatchNormFolder.Fold(folded));
        Assert.DoesNotContain(folded.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.Single(folded.Graph.Node, n => n.OpType == "Conv");

        var input = QuantizationFixtures.Images(1, 3, 8)[0].Tensor;
        long[] shape = [1, 3, 8, 8];
        var expected = OrtRunner.RunOne(original, "input", input, shape, "out").Values;
        var actual = OrtRunner.RunOne(folded, "input", input, shape, "out").Values;

        // Both sides are a 27-term dot product followed by an affine map; folding moves the affine factor into
        // the weights (one extra rounding per weight, relative u). Bound: a dot product over 27 + 1 (bias) terms
        // evaluated twice with different roundings, plus the BN's own 4 float ops, all relative to
        // S = max|x|·Σ|W'| + |b'| + |β| (the largest magnitude any intermediate reaches).
        var weight = OnnxTensors.ToFloats(folded.Graph.Initializer.Single(t => t.Dims.Count == 4));
        var bias = OnnxTensors.ToFloats(folded.Graph.Initializer.Single(t => t.Dims.Count == 1 && t.Name.Contains("bnfolded", StringComparison.Ordinal)));
        var maxInput = input.Max(Math.Abs);
        for (var m = 0; m < 6; m++)
        {
            var s = (maxInput * weight.Skip(m * 27).Take(27).Sum(Math.Abs)) + Math.Abs(bias[m]) + 1.0;
            var tolerance = 2 * FloatBounds.DotProduct(27 + 1 + 4, s);
            for (var i = 0; i < 64; i++)
            {
                Assert.True(Math.Abs(expected[(m * 64) + i] - actual[(m * 64) + i]) <= tolerance,
                    $"channel {m} pixel {i}: {expected[(m * 64) + i]} vs {actual[(m * 64) + i]} (tolerance {tolerance:g3})");
            }
        }
    }

    [Fact]
    public void A_Conv_whose_output_has_another_reader_is_not_folded()
    {
        var model = QuantizationFixtures.ConvBatchNorm();
        var conv = model.Graph.Node.Single(n => n.OpType == "Conv");
        model.Graph.Output.Add(new global::Onnx.ValueInfoProto { Name = conv.Output[0], Type = model.Graph.Output[0].Type.Clone() });
        Assert.Equal(0, ConvBatchNormFolder.Fold(model));
        Assert.Contains(model.Graph.Node, n => n.OpType == "BatchNormalization");
    }
}
