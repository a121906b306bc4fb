using EdgeAgent.Onnx.GradCam;

namespace EdgeAgent.Onnx.Tests.GradCam;

public sealed class ModelInspectorTests
{
    [Fact]
    public void Describes_a_prepared_model_and_marks_the_gradient_output()
    {
        var original = WholeModels.CnnLstm();
        var before = ModelInspector.Describe(original);
        Assert.Null(before.TargetTensor);
        Assert.Equal(0, before.GradientNodeCount);
        Assert.DoesNotContain(before.Outputs, o => o.IsGradientOutput);

        var result = GradCamTransform.Apply(original);
        var d = ModelInspector.Describe(result.Model);
        Assert.Equal(result.TargetTensor, d.TargetTensor);
        Assert.Equal("logits", d.ScoreTensor);
        Assert.Equal("cam", d.CamOutput);
        Assert.Equal("Nchw", d.TargetLayout);
        Assert.Equal(result.AddedNodeCount, d.GradientNodeCount);
        Assert.Equal(before.OpCounts, d.OpCounts);
        var cam = Assert.Single(d.Outputs, o => o.IsGradientOutput);
        Assert.Equal("cam", cam.Name);
        Assert.Equal(["N", "3", "4", "4"], cam.Dims);
        Assert.Equal(["N", "1", "8", "8"], Assert.Single(d.Inputs).Dims);
        Assert.Equal(1, d.OpCounts["LSTM"]);
        Assert.True(d.GradientOpCounts["MatMul"] > 0);
    }
}
