namespace EdgeAgent.Devices.Quality;

/// <summary>One reason a frame was rejected: a stable code and a sentence for the radiographer.</summary>
public sealed record FrameRejection(FrameRejectionKind Kind, string Reason)
{
    /// <summary>The code as it appears in result JSON (e.g. "frame-blurred").</summary>
    public string Code => "frame-" + Kind.ToString().ToLowerInvariant() switch
    {
        "toosmall" => "too-small",
        var other => other,
    };
}
