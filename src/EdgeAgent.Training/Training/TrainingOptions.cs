namespace EdgeAgent.Training.Training;

/// <summary>The paper's recipe by default: cross-entropy, RMSprop, lr 2e-4 x 0.95^epoch, batch 16, 20 epochs.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 2e-4;
    /// <summary>Learning rate multiplier per epoch (lr_e = lr * decay^e).</summary>
    public double LearningRateDecay { get; init; } = 0.95;
    /// <summary>"rmsprop" (the paper, Keras defaults rho 0.9, eps 1e-7) or "adam".</summary>
    public string Optimizer { get; init; } = "rmsprop";
    public double WeightDecay { get; init; }
    /// <summary>Stop after this many epochs without a better validation loss (0 = never stop early).</summary>
    public int Patience { get; init; } = 6;
    public int Seed { get; init; } = 42;
    /// <summary>"cpu" or "cuda".</summary>
    public string Device { get; init; } = "cpu";

    public void Validate()
    {
        if (Optimizer is not ("rmsprop" or "adam"))
        {
            throw new ArgumentException($"Optimizer '{Optimizer}' is not supported; use rmsprop or adam.");
        }

        if (Epochs < 1 || BatchSize < 2)
        {
            throw new ArgumentException($"Epochs ({Epochs}) must be >= 1 and batch size ({BatchSize}) >= 2 (batch normalisation needs two samples).");
        }

        if (LearningRate <= 0 || LearningRateDecay <= 0 || LearningRateDecay > 1)
        {
            throw new ArgumentException($"Learning rate {LearningRate} must be > 0 and decay {LearningRateDecay} in (0, 1].");
        }
    }
}
