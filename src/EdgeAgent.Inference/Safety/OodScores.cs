namespace EdgeAgent.Inference.Safety;

/// <summary>
/// Out-of-distribution scores computed from a classifier's logits; higher means less like the training data.
/// Training (threshold fitting) and the agent (scoring) both call these, so the two agree by construction.
/// </summary>
public static class OodScores
{
    public const string Energy = "energy";
    public const string MaxLogit = "max-logit";

    /// <summary>Energy score -T·logsumexp(z/T) (Liu et al. 2020): low for inputs the model is confident on.</summary>
    public static double EnergyOf(IReadOnlyList<float> logits, double temperature = 1.0)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Count == 0)
        {
            throw new ArgumentException("no logits to score", nameof(logits));
        }

        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a positive finite number");
        }

        // Shift by the largest logit so exp never overflows: logsumexp(x) = m + log(sum exp(x - m)).
        var max = logits.Max() / temperature;
        var sum = logits.Sum(z => Math.Exp((z / temperature) - max));
        return -temperature * (max + Math.Log(sum));
    }

    /// <summary>Negative of the largest logit (so that, like energy, higher is more unusual).</summary>
    public static double NegativeMaxLogitOf(IReadOnlyList<float> logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Count == 0)
        {
            throw new ArgumentException("no logits to score", nameof(logits));
        }

        return -logits.Max();
    }

    /// <summary>The score named by a manifest (null means energy).</summary>
    public static double Score(string? name, IReadOnlyList<float> logits, double temperature = 1.0) => (name ?? Energy).ToLowerInvariant() switch
    {
        Energy => EnergyOf(logits, temperature),
        MaxLogit => NegativeMaxLogitOf(logits),
        _ => throw new ArgumentException($"unknown OOD score \"{name}\" (known: {Energy}, {MaxLogit})", nameof(name)),
    };
}
