using EdgeAgent.Onnx.Assembly;
using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeAgent.Onnx.Tests.Safety;

public sealed class PooledFeatureOutputTests
{
    [Fact]
    public void Features_output_is_the_spatial_mean_of_the_target_map_from_the_same_run()
    {
        var fixture = ModelFixtures.TinyCnnGap(seed: 5);
        var model = fixture.Model.Clone();
        var channels = fixture.FeatureMapShape[0];
        var name = PooledFeatureOutput.Add(model, fixture.FeatureMapName, FeatureLayout.Nchw, channels);
        // Expose the map itself too, to recompute the mean here.
        model.Graph.Output.Add(new ValueInfoProto { Name = fixture.FeatureMapName, Type = model.Graph.Output[0].Type.Clone() });
        model.Graph.Output[^1].Type.TensorType.Shape = null;

        using var session = new InferenceSession(model.ToByteArray());
        var input = new float[fixture.Channels * fixture.Height * fixture.Width];
        var random = new Random(11);
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)((random.NextDouble() * 4) - 2);
        }

        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, fixture.Channels, fixture.Height, fixture.Width]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [fixture.InputName], [value], [name, fixture.FeatureMapName]);
        var features = results[0].GetTensorDataAsSpan<float>().ToArray();
        var shape = results[0].GetTensorTypeAndShape().Shape;
        Assert.Equal([1L, channels], shape);
        var map = results[1].GetTensorDataAsSpan<float>().ToArray();
        var plane = map.Length / channels;
        for (var c = 0; c < channels; c++)
        {
            var expected = map.AsSpan(c * plane, plane).ToArray().Average(v => (double)v);
            // A float32 mean of `plane` values: relative rounding ≤ plane·2^-24 of the largest magnitude, far under 1e-5.
            var scale = Math.Max(1, map.AsSpan(c * plane, plane).ToArray().Max(v => Math.Abs(v)));
            Assert.True(Math.Abs(features[c] - expected) <= 1e-5 * scale, $"channel {c}: {features[c]} vs {expected}");
        }
    }

    [Fact]
    public void Opset_18_models_get_the_axes_as_an_input()
    {
        var fixture = ModelFixtures.TinyCnnGap(seed: 5);
        var model = fixture.Model.Clone();
        foreach (var opset in model.OpsetImport.Where(o => o.Domain.Length == 0))
        {
            opset.Version = 18;
        }

        PooledFeatureOutput.Add(model, fixture.FeatureMapName, FeatureLayout.Nchw, fixture.FeatureMapShape[0]);
        var node = model.Graph.Node[^1];
        Assert.Equal(2, node.Input.Count);
        Assert.DoesNotContain(node.Attribute, a => a.Name == "axes");
        Assert.Equal([2L, 3L], model.Graph.Initializer.Single(t => t.Name == node.Input[1]).Int64Data);
    }

    [Fact]
    public void A_missing_map_is_refused_by_name_and_a_taken_output_name_gets_a_suffix()
    {
        var fixture = ModelFixtures.TinyCnnGap(seed: 5);
        var missing = Assert.Throws<InvalidOperationException>(() => PooledFeatureOutput.Add(fixture.Model.Clone(), "no_such_map", FeatureLayout.Nchw, 4));
        Assert.Contains("no_such_map", missing.Message, StringComparison.Ordinal);
        var model = fixture.Model.Clone();
        Assert.Equal("logits_1", PooledFeatureOutput.Add(model, fixture.FeatureMapName, FeatureLayout.Nchw, 4, "logits"));
        Assert.Equal(1, model.Graph.Output.Count(o => o.Name == "logits"));
    }
}
