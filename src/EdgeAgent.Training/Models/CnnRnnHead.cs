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
        featureMean = torch.zeros(1, channels, height, width);
        featureScale = torch.ones(1, channels, 1, 1);
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
    private Tensor featureMean;
    private Tensor featureScale;
#pragma warning restore IDE0044

    public SequenceLstm Lstm => lstm;

    public BatchNorm1d LstmNorm => lstmNorm;

    public Linear Dense1 => dense1;

    public BatchNorm1d Norm1 => norm1;

    public Linear Dense2 => dense2;

    public BatchNorm1d Norm2 => norm2;

    public Linear Output => output;

    /// <summary>Mean feature map [1, C, H, W] subtracted before the sequence (zeros when not standardising).</summary>
    public Tensor FeatureMean => featureMean;

    /// <summary>Per-channel factor [1, C, 1, 1] applied after the mean (ones when not standardising).</summary>
    public Tensor FeatureScale => featureScale;

    /// <summary>Fits the standardisation on training feature maps [N, C, H, W] (no-op unless <see cref="HeadOptions.Standardize"/>).</summary>
    public void FitStandardization(Tensor trainingFeatures)
    {
        if (!Options.Standardize)
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var mean = trainingFeatures.mean([0], keepdim: true);
        var spread = (trainingFeatures - mean).pow(2).mean([0, 2, 3], keepdim: true).sqrt();
        featureMean.copy_(mean);
        // Channels that never vary (dead ReLUs) keep scale 1 instead of dividing by ~0.
        featureScale.copy_(torch.where(spread > 1e-6, spread.reciprocal(), torch.ones_like(spread)));
    }

    /// <summary>(A - mean) * scale: the tensor the sequence reads and Grad-CAM targets.</summary>
    public Tensor Standardize(Tensor features) => (features - featureMean) * featureScale;

    public override Tensor forward(Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        return Classify(Standardize(features)).MoveToOuterDisposeScope();
    }

    /// <summary>The head from the standardised feature map on: sequence, LSTM, dense layers, logits.</summary>
    public Tensor Classify(Tensor features)
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
