namespace EdgeAgent.Models.Updates;

/// <summary>
/// How far the health watch over a newly activated model has got. Kept in state.json (under <c>probation</c>) after
/// every watched inference, so an agent restarted during the watch continues it where it stopped instead of
/// forgetting it and keeping a bad model.
/// </summary>
public sealed record ProbationState
{
    /// <summary>Watched inferences that came out healthy so far.</summary>
    public int Inferences { get; init; }

    /// <summary>Logits of the first watched inference; every later one is compared with them.</summary>
    public IReadOnlyList<float>? FirstLogits { get; init; }

    /// <summary>True once an inference's logits differed from <see cref="FirstLogits"/> (the model is not collapsed).</summary>
    public bool Varied { get; init; }

    /// <summary>Items using the model right now; still above zero at start-up means the agent died in the middle of one.</summary>
    public int InFlight { get; init; }

    /// <summary>Start-ups that found <see cref="InFlight"/> above zero (crash or power cut while the model was working).</summary>
    public int Interrupted { get; init; }
}
