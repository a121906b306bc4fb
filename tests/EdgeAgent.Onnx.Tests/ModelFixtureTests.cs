using EdgeAgent.Onnx.Graph;
using Onnx;

namespace EdgeAgent.Onnx.Tests;

public sealed class ModelFixtureTests
{
    public static TheoryData<string> TinyFixtures => ["lstm", "gru", "gap"];

    private static ModelFixture Make(string kind, ulong seed = 1) => kind switch
    {
        "lstm" => ModelFixtures.TinyCnnLstm(seed),
        "gru" => ModelFixtures.TinyCnnGru(seed),
        _ => ModelFixtures.TinyCnnGap(seed),
    };

    [Theory]
    [MemberData(nameof(TinyFixtures))]
    public void Tiny_fixture_runs_with_a_dynamic_batch_and_gives_finite_probabilities(string kind)
    {
        var fixture = Make(kind);
        // Expose the feature map too, so its declared shape is checked against what ONNX Runtime computes.
        var graph = GraphBuilder.Extend(fixture.Model.Clone());
        graph.AddFloatOutput(fixture.FeatureMapName);
        var model = graph.Build();

        const int batch = 3;
        var input = new DeterministicRandom(99).UniformArray(batch * 3 * fixture.Height * fixture.Width, -2.0, 2.0);
        var results = OrtRunner.Run(model,
            new Dictionary<string, (float[], long[])> { [fixture.InputName] = (input, [batch, 3, fixture.Height, fixture.Width]) },
            fixture.LogitsName, fixture.ProbabilitiesName, fixture.FeatureMapName);

        var logits = results[fixture.LogitsName];
        var probabilities = results[fixture.ProbabilitiesName];
        var features = results[fixture.FeatureMapName];
        Assert.Equal([batch, 3L], logits.Shape);
        Assert.Equal([batch, 3L], probabilities.Shape);
        Assert.Equal(new long[] { batch }.Concat(fixture.FeatureMapShape.Select(d => (long)d)), features.Shape);
        Assert.All(logits.Values, v => Assert.True(float.IsFinite(v)));
        Assert.All(features.Values, v => Assert.True(v >= 0f && float.IsFinite(v)));
        for (var b = 0; b < batch; b++)
        {
            var row = probabilities.Values.AsSpan(b * 3, 3).ToArray();
            Assert.All(row, p => Assert.InRange(p, 0f, 1f));
            // Three probabilities each within a few ulp of exact: the sum is 1 within ~1e-6.
            Assert.Equal(1.0, row.Sum(), 1e-5);
        }

        // Different images must give different scores, otherwise the head ignores its input.
        Assert.NotEqual(logits.Values.AsSpan(0, 3).ToArray(), logits.Values.AsSpan(3, 3).ToArray());
    }

    [Theory]
    [MemberData(nameof(TinyFixtures))]
    public void Same_seed_gives_identical_bytes_and_a_different_seed_different_weights(string kind)
    {
        var first = OnnxModelFile.ToBytes(Make(kind, 5).Model);
        var again = OnnxModelFile.ToBytes(Make(kind, 5).Model);
        var other = Make(kind, 6).Model;
        Assert.Equal(first, again);

        var reference = OnnxModelFile.FromBytes(first);
        Assert.Equal(reference.Graph.Initializer.Count, other.Graph.Initializer.Count);
        var weightsDiffer = reference.Graph.Initializer.Zip(other.Graph.Initializer)
            .Where(pair => pair.First.DataType == (int)TensorProto.Types.DataType.Float && pair.First.Dims.Count > 1)
            .All(pair => !OnnxTensors.ToFloats(pair.First).SequenceEqual(OnnxTensors.ToFloats(pair.Second)));
        Assert.True(weightsDiffer, "every weight tensor must change with the seed");
    }

    [Fact]
    public void Recurrent_fixtures_use_the_paper_activations_and_onnx_layout()
    {
        var lstm = ModelFixtures.TinyCnnLstm().Model.Graph.Node.Single(n => n.OpType == "LSTM");
        Assert.Equal(["Sigmoid", "Relu", "Relu"], lstm.Attribute.Single(a => a.Name == "activations").Strings.Select(s => s.ToStringUtf8()));
        Assert.Equal(12, lstm.Attribute.Single(a => a.Name == "hidden_size").I);
        var gru = ModelFixtures.TinyCnnGru().Model.Graph.Node.Single(n => n.OpType == "GRU");
        Assert.Equal(1, gru.Attribute.Single(a => a.Name == "linear_before_reset").I);
    }

    [Fact]
    public void Vgg19_rnn_has_the_paper_shape_and_parameter_count()
    {
        var fixture = ModelFixtures.Vgg19Rnn();
        var graph = fixture.Model.Graph;

        // VGG19 convolutions: 20,024,384. LSTM 512→512 with ONNX's two bias vectors:
        // 4·512·512·2 + 8·512 = 2,101,248. BatchNorm 512 (4 vectors): 2,048. Dense 25,088→4,096: 102,764,544.
        // BatchNorm 4,096: 16,384. Dense 4,096→4,096: 16,781,312. BatchNorm 4,096: 16,384. Dense 4,096→3: 12,291.
        const long expected = 20_024_384 + 2_101_248 + 2_048 + 102_764_544 + 16_384 + 16_781_312 + 16_384 + 12_291;
        Assert.Equal(141_718_595, expected);
        Assert.Equal(expected, fixture.ParameterCount);
        Assert.Equal(expected, graph.Initializer
            .Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count > 0)
            .Sum(t => OnnxTensors.ElementCount(t.Dims)));

        Assert.Equal(16, graph.Node.Count(n => n.OpType == "Conv"));
        Assert.Equal(5, graph.Node.Count(n => n.OpType == "MaxPool"));
        var lstm = graph.Node.Single(n => n.OpType == "LSTM");
        Assert.Equal(512, lstm.Attribute.Single(a => a.Name == "hidden_size").I);
        Assert.Equal(["Sigmoid", "Relu", "Relu"], lstm.Attribute.Single(a => a.Name == "activations").Strings.Select(s => s.ToStringUtf8()));
        Assert.Equal(3, graph.Node.Count(n => n.OpType == "BatchNormalization"));
        Assert.Equal([4096L, 25_088L], graph.Initializer.Single(t => t.Dims.Count == 2 && t.Dims[1] == 25_088).Dims);
        Assert.Equal([512, 14, 14], fixture.FeatureMapShape);
        Assert.Equal("N", graph.Input.Single().Type.TensorType.Shape.Dim[0].DimParam);
    }
}
