namespace EdgeAgent.Models;

/// <summary>The seeded, untrained model shapes `model fixture` can write.</summary>
public enum FixtureKind
{
    /// <summary>Tiny CNN-LSTM (ReLU LSTM as in the paper's code).</summary>
    Lstm,
    /// <summary>Tiny CNN-GRU.</summary>
    Gru,
    /// <summary>Tiny CNN with global average pooling.</summary>
    Gap,
    /// <summary>The paper-shaped VGG19-RNN at 224×224 (about 570 MB; benchmarks only).</summary>
    Vgg19,
}
