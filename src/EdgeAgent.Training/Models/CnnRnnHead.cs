using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Models;

/// <summary>
/// The paper's head on a feature map [N, C, H, W]: the H*W positions in row-major order become the
/// steps of a sequence of C features -> LSTM (all steps) -> BatchNorm over the units -> Flatten ->
/// Dense ReLU -> BN -> Dense ReLU -> BN -> Dense K (logits).
/// </summary>
public sealed class CnnRnnHead : nn.Module<Tensor, Tensor>
{
    public CnnRnnHead(int channels, int height, int width, int classes, HeadOptions options) : base(nameof(CnnRnnHead))
    {
        options.Validate();
        Options = options;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
        lstm = new SequenceLstm(channels, options.LstmUnits, options.Activation);
        lstmNorm = nn.BatchNorm1d(options.LstmUnits);
        dense1 = nn.Linear(height * width * options.LstmUnits, options.Dense1);
        norm1 = nn.BatchNorm1d(options.Dense1);
        dense2 = nn.Linear(options.Dense1, options.Dense2);
        norm2 = nn.BatchNorm1d(options.Dense2);
        output = nn.Linear(options.Dense2, classes);
        dropout = nn.Dropout(options.Dropout);
        RegisterComponents();
        if (options.FreezeLstm)
        {
            foreach (var parameter in lstm.parameters())
            {
                parameter.requires_grad = false;
            }
        }
    }

    public HeadOptions Options { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public int Classes { get; }

#pragma warning disable IDE0044 // TorchSharp registers fields by reflection; they stay plain fields.
    private SequenceLstm lstm;
    private BatchNorm1d lstmNorm;
    private Linear dense1;
    private BatchNorm1d norm1;
    private Linear dense2;
    private BatchNorm1d norm2;
    private Linear output;
    private Dropout dropout;
#pragma warning restore IDE0044

    public SequenceLstm Lstm => lstm;

    public BatchNorm1d LstmNorm => lstmNorm;

    public Linear Dense1 => dense1;

    public BatchNorm1d Norm1 => norm1;

    public Linear Dense2 => dense2;

    public BatchNorm1d Norm2 => norm2;

    public Linear Output => output;

    public override Tensor forward(Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        var n = features.shape[0];
        // [N, C, H, W] -> [N, C, H*W] -> [N, H*W, C]: step t is position (t / W, t % W).
        var sequence = features.reshape(n, Channels, Height * Width).permute(0, 2, 1);
        var states = lstm.forward(sequence);                                    // [N, T, U]
        var normed = lstmNorm.forward(states.permute(0, 2, 1)).permute(0, 2, 1); // BN over U
        var flat = normed.reshape(n, -1);                                       // (t, u) row-major
        var x = dropout.forward(norm1.forward(nn.functional.relu(dense1.forward(flat))));
        x = dropout.forward(norm2.forward(nn.functional.relu(dense2.forward(x))));
        return output.forward(x).MoveToOuterDisposeScope();
    }
}
