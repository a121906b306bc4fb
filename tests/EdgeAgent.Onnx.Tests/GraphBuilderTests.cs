using EdgeAgent.Onnx.Graph;
using Onnx;

namespace EdgeAgent.Onnx.Tests;

public sealed class GraphBuilderTests
{
    [Fact]
    public void Conv_with_bias_stride_and_padding_matches_a_hand_computed_convolution()
    {
        // N=2, C=2, 5×5 input; 3 output channels, 3×3 kernel, stride 2, pad 1 → 3×3 output.
        const int n = 2, c = 2, h = 5, w = 5, m = 3, k = 3, stride = 2, pad = 1, oh = 3, ow = 3;
        var random = new DeterministicRandom(7);
        var x = random.UniformArray(n * c * h * w, 1.0);
        var weight = random.UniformArray(m * c * k * k, 1.0);
        var bias = random.UniformArray(m, 1.0);

        var graph = new GraphBuilder();
        graph.AddFloatInput("x", TensorDim.Batch, c, h, w);
        graph.AddInitializer("W", weight, m, c, k, k);
        graph.AddInitializer("B", bias, m);
        graph.AddNode("Conv", ["x", "W", "B"], ["y"],
        [
            NodeAttribute.Ints("kernel_shape", k, k),
            NodeAttribute.Ints("strides", stride, stride),
            NodeAttribute.Ints("pads", pad, pad, pad, pad),
        ]);
        graph.AddFloatOutput("y", TensorDim.Batch, m, oh, ow);

        var result = OrtRunner.RunOne(graph.Build(), "x", x, [n, c, h, w], "y");

        Assert.Equal([n, m, oh, ow], result.Shape);
        for (var b = 0; b < n; b++)
        for (var o = 0; o < m; o++)
        for (var i = 0; i < oh; i++)
        for (var j = 0; j < ow; j++)
        {
            double sum = bias[o], abs = Math.Abs(bias[o]);
            var terms = 1;
            for (var ch = 0; ch < c; ch++)
            for (var ki = 0; ki < k; ki++)
            for (var kj = 0; kj < k; kj++)
            {
                var row = (i * stride) - pad + ki;
                var col = (j * stride) - pad + kj;
                if (row < 0 || row >= h || col < 0 || col >= w)
                {
                    continue;
                }

                double product = (double)x[(((b * c) + ch) * h * w) + (row * w) + col] * weight[(((o * c) + ch) * k * k) + (ki * k) + kj];
                sum += product;
                abs += Math.Abs(product);
                terms++;
            }

            var actual = result.Values[(((b * m) + o) * oh * ow) + (i * ow) + j];
            Assert.True(Math.Abs(actual - sum) <= FloatBounds.DotProduct(terms, abs),
                $"y[{b},{o},{i},{j}] = {actual}, expected {sum}");
        }
    }

    [Fact]
    public void Gemm_with_transB_alpha_and_beta_matches_a_hand_computed_product()
    {
        const int n = 3, kIn = 4, mOut = 2;
        const float alpha = 0.5f, beta = 2f;
        float[] a = [1, -2, 3, 0.5f, 0, 1, -1, 2, 4, 0.25f, -0.5f, 1];
        float[] b = [0.5f, -1, 2, 1, -0.25f, 0.75f, 1.5f, -2];  // [mOut, kIn], used transposed
        float[] c = [0.1f, -0.2f];

        var graph = new GraphBuilder();
        graph.AddFloatInput("a", TensorDim.Batch, kIn);
        graph.AddInitializer("b", b, mOut, kIn);
        graph.AddInitializer("c", c, mOut);
        var y = graph.AddNode("Gemm", ["a", "b", "c"],
            NodeAttribute.Float("alpha", alpha), NodeAttribute.Float("beta", beta), NodeAttribute.Int("transB", 1));
        graph.AddFloatOutput(y, TensorDim.Batch, mOut);

        var result = OrtRunner.RunOne(graph.Build(), "a", a, [n, kIn], y);

        Assert.Equal([n, mOut], result.Shape);
        for (var i = 0; i < n; i++)
        for (var j = 0; j < mOut; j++)
        {
            double dot = 0, abs = 0;
            for (var t = 0; t < kIn; t++)
            {
                double product = (double)a[(i * kIn) + t] * b[(j * kIn) + t];
                dot += product;
                abs += Math.Abs(product);
            }

            var expected = (alpha * dot) + (beta * c[j]);
            // The products are exact in float32 only up to rounding; alpha and beta are powers of two (exact scaling).
            var tolerance = FloatBounds.DotProduct(kIn + 1, (alpha * abs) + Math.Abs(beta * c[j]));
            Assert.True(Math.Abs(result.Values[(i * mOut) + j] - expected) <= tolerance,
                $"y[{i},{j}] = {result.Values[(i * mOut) + j]}, expected {expected}");
        }
    }

    [Fact]
    public void Int8_uint8_int32_and_float16_initializers_are_read_by_onnx_runtime_as_written()
    {
        // y = DequantizeLinear(q, scale, zero) + DequantizeLinear(u, scale, uzero) + Cast(i32) + Cast(f16):
        // every value is a small integer or half-integer, exact in float32, so equality is exact.
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", 4);
        graph.AddInitializer(OnnxTensors.FromInt8s("q", [-128, -1, 0, 127], 4));
        graph.AddInitializer(OnnxTensors.FromUInt8s("u", [0, 1, 200, 255], 4));
        graph.AddInitializer(OnnxTensors.FromInt8s("q_zero", [0]));
        graph.AddInitializer(OnnxTensors.FromUInt8s("u_zero", [128]));
        graph.AddInitializer("scale", [0.5f]);
        graph.AddInitializer(OnnxTensors.FromInt32s("i", [-70000, 3, 0, 70000], 4));
        graph.AddInitializer(OnnxTensors.FromHalves("h", [(Half)0.5f, (Half)(-2f), (Half)1024f, (Half)0f], 4));
        var a = graph.AddNode("DequantizeLinear", ["q", "scale", "q_zero"]);
        var b = graph.AddNode("DequantizeLinear", ["u", "scale", "u_zero"]);
        var c = graph.AddNode("Cast", ["i"], NodeAttribute.Int("to", (long)TensorProto.Types.DataType.Float));
        var d = graph.AddNode("Cast", ["h"], NodeAttribute.Int("to", (long)TensorProto.Types.DataType.Float));
        var sum = graph.AddNode("Sum", ["x", a, b, c, d]);
        graph.AddFloatOutput(sum, 4);

        var result = OrtRunner.RunOne(graph.Build(), "x", [0f, 0f, 0f, 0f], [4], sum);

        float[] expected =
        [
            (-128 * 0.5f) + ((0 - 128) * 0.5f) - 70000 + 0.5f,
            (-1 * 0.5f) + ((1 - 128) * 0.5f) + 3 - 2f,
            0f + ((200 - 128) * 0.5f) + 0 + 1024f,
            (127 * 0.5f) + ((255 - 128) * 0.5f) + 70000 + 0f,
        ];
        Assert.Equal(expected, result.Values);
    }

    [Fact]
    public void Dynamic_batch_input_accepts_any_batch_size()
    {
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", TensorDim.Batch, 2);
        var y = graph.AddNode("Relu", ["x"]);
        graph.AddFloatOutput(y, TensorDim.Batch, 2);
        var model = graph.Build();

        var dim = model.Graph.Input[0].Type.TensorType.Shape.Dim[0];
        Assert.Equal("N", dim.DimParam);
        foreach (var batch in new[] { 1, 5 })
        {
            var data = Enumerable.Range(0, batch * 2).Select(i => i % 2 == 0 ? -1f * i : i).ToArray();
            var result = OrtRunner.RunOne(model, "x", data, [batch, 2], y);
            Assert.Equal([batch, 2], result.Shape);
            Assert.Equal(data.Select(v => Math.Max(v, 0f)), result.Values);
        }
    }

    [Fact]
    public void Every_attribute_type_is_stored_with_its_protobuf_type()
    {
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", 1);
        var tensor = OnnxTensors.FromFloats("t", [1f, 2f], 2);
        graph.AddNode("Identity", ["x"], ["y"],
        [
            NodeAttribute.Int("i", 3),
            NodeAttribute.Ints("is", 1, 2),
            NodeAttribute.Float("f", 0.5f),
            NodeAttribute.Floats("fs", 0.25f, 4f),
            NodeAttribute.String("s", "Relu"),
            NodeAttribute.Strings("ss", "Sigmoid", "Relu"),
            NodeAttribute.Tensor("t", tensor),
        ]);

        var node = graph.Graph.Node.Single();
        var byName = node.Attribute.ToDictionary(a => a.Name);
        Assert.Equal(AttributeProto.Types.AttributeType.Int, byName["i"].Type);
        Assert.Equal(3, byName["i"].I);
        Assert.Equal([1L, 2L], byName["is"].Ints);
        Assert.Equal(AttributeProto.Types.AttributeType.Float, byName["f"].Type);
        Assert.Equal(0.5f, byName["f"].F);
        Assert.Equal([0.25f, 4f], byName["fs"].Floats);
        Assert.Equal("Relu", byName["s"].S.ToStringUtf8());
        Assert.Equal(["Sigmoid", "Relu"], byName["ss"].Strings.Select(s => s.ToStringUtf8()));
        Assert.Equal(AttributeProto.Types.AttributeType.Tensor, byName["t"].Type);
        Assert.Equal([1f, 2f], OnnxTensors.ToFloats(byName["t"].T));
    }

    [Fact]
    public void Unique_names_never_repeat_and_are_deterministic()
    {
        static string[] Names()
        {
            var graph = new GraphBuilder();
            graph.AddFloatInput("x", 1);
            return [graph.UniqueName("x"), graph.UniqueName("conv"), graph.UniqueName("conv"), graph.UniqueName("conv_1"), graph.UniqueName("conv")];
        }

        var names = Names();
        Assert.Equal(["x_1", "conv", "conv_1", "conv_1_1", "conv_2"], names);
        Assert.Equal(names, Names());
    }

    [Fact]
    public void A_node_reading_an_undefined_tensor_is_refused_with_node_and_tensor_named()
    {
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", 1);
        var error = Assert.Throws<InvalidOperationException>(() => graph.AddNode("Add", ["x", "missing"], ["y"], nodeName: "adder"));
        Assert.Contains("adder", error.Message);
        Assert.Contains("Add", error.Message);
        Assert.Contains("'missing'", error.Message);
    }

    [Fact]
    public void Duplicate_tensor_names_and_outputs_are_refused()
    {
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", 1);
        Assert.Throws<InvalidOperationException>(() => graph.AddInitializer("x", [1f], 1));
        graph.AddNode("Relu", ["x"], ["y"]);
        Assert.Throws<InvalidOperationException>(() => graph.AddNode("Relu", ["x"], ["y"]));
        Assert.Throws<InvalidOperationException>(() => graph.AddFloatOutput("nope"));
        graph.AddFloatOutput("y");
        Assert.Throws<InvalidOperationException>(() => graph.AddFloatOutput("y"));
    }

    [Fact]
    public void Initializer_shape_must_match_its_data()
    {
        var graph = new GraphBuilder();
        var error = Assert.Throws<ArgumentException>(() => graph.AddInitializer("w", [1f, 2f, 3f], 2, 2));
        Assert.Contains("'w'", error.Message);
    }

    [Fact]
    public void Build_sets_opset_17_and_refuses_later_edits()
    {
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", 1);
        graph.AddFloatOutput(graph.AddNode("Relu", ["x"]));
        var model = graph.Build();

        Assert.Equal(17, model.OpsetImport.Single(o => o.Domain.Length == 0).Version);
        Assert.Equal(GraphBuilder.IrVersion, model.IrVersion);
        Assert.Throws<InvalidOperationException>(() => graph.AddNode("Relu", ["x"]));
        Assert.Throws<InvalidOperationException>(() => new GraphBuilder().Build());
    }

    [Fact]
    public void Saved_model_loads_back_identical_and_int64_initializers_round_trip()
    {
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", TensorDim.Batch, 2, 3);
        var shape = graph.AddInt64Constant("shape", 0, 6);
        var y = graph.AddNode("Reshape", ["x", shape]);
        graph.AddFloatOutput(y, TensorDim.Batch, 6);
        var model = graph.Build();
        var path = Path.Combine(Path.GetTempPath(), $"edgeagent-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxModelFile.Save(model, path);
            var loaded = OnnxModelFile.Load(path);
            Assert.Equal(model, loaded);
            Assert.Equal([0L, 6L], OnnxTensors.ToInt64s(loaded.Graph.Initializer.Single()));
            var data = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
            var result = OrtRunner.RunOne(loaded, "x", data, [2, 2, 3], y);
            Assert.Equal([2L, 6L], result.Shape);
            Assert.Equal(data, result.Values);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Loading_a_file_that_is_not_onnx_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edgeagent-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0x07, 0x01]);
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => OnnxModelFile.Load(path));
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Extend_appends_nodes_to_an_existing_model_without_name_clashes()
    {
        var graph = new GraphBuilder();
        graph.AddFloatInput("x", TensorDim.Batch, 2);
        var relu = graph.AddNode("Relu", ["x"]);
        graph.AddFloatOutput(relu, TensorDim.Batch, 2);
        var model = graph.Build();

        var more = GraphBuilder.Extend(model);
        var name = more.UniqueName("Relu");
        Assert.NotEqual(relu, name);
        var negated = more.AddNode("Neg", [relu]);
        more.AddFloatOutput(negated, TensorDim.Batch, 2);
        var extended = more.Build();

        var result = OrtRunner.Run(extended,
            new Dictionary<string, (float[], long[])> { ["x"] = ([-1f, 2f], [1, 2]) }, relu, negated);
        Assert.Equal([0f, 2f], result[relu].Values);
        Assert.Equal([-0f, -2f], result[negated].Values);
    }
}
