namespace EdgeAgent.Training.Models;

/// <summary>Sizes and choices of the paper's CNN-RNN head (LSTM -> BN -> Flatten -> Dense -> BN -> Dense -> BN -> Dense K).</summary>
public sealed record HeadOptions
{
    public int LstmUnits { get; init; } = 32;
    /// <summary>"relu" (as the paper's Keras code) or "tanh" (the standard LSTM).</summary>
    public string Activation { get; init; } = "relu";
    /// <summary>Keep the LSTM at its random initialisation, as the paper did.</summary>
    public bool FreezeLstm { get; init; }
    public int Dense1 { get; init; } = 64;
    public int Dense2 { get; init; } = 32;
    /// <summary>Dropout after each dense block during training (0 = none; the paper used none).</summary>
    public double Dropout { get; init; } = 0.3;
    /// <summary>
    /// Standardise the feature map before the sequence: subtract the training set's mean map (per
    /// channel and position) and divide by each channel's spread. What remains is how an image
    /// departs from the typical chest at each position, which is what a lesion is; Grad-CAM then
    /// targets this tensor. Fitted once from the training features; exported as Sub and Mul.
    /// </summary>
    public bool Standardize { get; init; } = true;

    public void Validate()
    {
        if (Activation is not ("relu" or "tanh"))
        {
            throw new ArgumentException($"LSTM activation '{Activation}' is not supported; use relu or tanh.");
        }

        if (LstmUnits < 1 || Dense1 < 1 || Dense2 < 1)
        {
            throw new ArgumentException($"Head sizes must be positive (lstm {LstmUnits}, dense {Dense1}/{Dense2}).");
        }

        if (Dropout is < 0 or >= 1)
        {
            throw new ArgumentException($"Dropout {Dropout} must be in [0, 1).");
        }
    }
}
