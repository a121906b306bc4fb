using EdgeAgent.Training.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Models;

/// <summary>
/// Parallel branches on one input, outputs concatenated along channels in branch order: an
/// Inception module, an Inception-v3 1x3/3x1 split, or a DenseNet layer (identity + new features).
/// </summary>
public sealed class ConcatBranches : nn.Module<Tensor, Tensor>, IOnnxWritable
{
#pragma warning disable IDE0044 // registered by reflection
    private ModuleList<nn.Module<Tensor, Tensor>> branches;
#pragma warning restore IDE0044

    public ConcatBranches(params nn.Module<Tensor, Tensor>[] branches) : base(nameof(ConcatBranches))
    {
        if (branches.Length < 2)
        {
            throw new ArgumentException("A concatenation needs at least two branches.", nameof(branches));
        }

        this.branches = nn.ModuleList(branches);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var outputs = branches.Select(b => b.forward(input)).ToArray();
        try
        {
            return torch.cat(outputs, 1);
        }
        finally
        {
            foreach (var output in outputs.Where(o => !ReferenceEquals(o, input)))
            {
                output.Dispose();
            }
        }
    }

    public string WriteOnnx(TorchOnnxWriter writer, string input)
    {
        var outputs = branches.Select(b => writer.Write(b, input)).ToList();
        return writer.Concat(outputs);
    }
}
