using EdgeAgent.Training.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Models;

/// <summary>
/// Inception-ResNet residual unit: x + scale * branch(x), then ReLU unless it is the network's
/// last unit (Szegedy et al. 2016 scale the residual by 0.1-0.3 to keep training stable).
/// </summary>
public sealed class ScaledResidual : nn.Module<Tensor, Tensor>, IOnnxWritable
{
#pragma warning disable IDE0044 // registered by reflection
    private nn.Module<Tensor, Tensor> branch;
#pragma warning restore IDE0044
    private readonly double scale;
    private readonly bool relu;

    public ScaledResidual(nn.Module<Tensor, Tensor> branch, double scale, bool relu) : base(nameof(ScaledResidual))
    {
        this.branch = branch;
        this.scale = scale;
        this.relu = relu;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var residual = branch.forward(input);
        using var scaled = residual * scale;
        var sum = input + scaled;
        if (!relu)
        {
            return sum;
        }

        using (sum)
        {
            return nn.functional.relu(sum);
        }
    }

    public string WriteOnnx(TorchOnnxWriter writer, string input)
    {
        var residual = writer.Write(branch, input);
        var sum = writer.Add(input, writer.Scale(residual, (float)scale));
        return relu ? writer.Relu(sum) : sum;
    }
}
