namespace EdgeAgent.Inference.Safety;

/// <summary>
/// Thresholds of the input-quality gate (configuration section "Safety"). Grey levels are on the 0..255 scale of a
/// decoded image; the sharpness measure is the variance of the Laplacian at a 512-pixel long side
/// (<see cref="Imaging.Statistics.ImageStatistics"/>). Defaults and the phantom measurements behind them: docs/safety.md.
/// </summary>
public sealed class SafetyOptions
{
    public const string SectionName = "Safety";

    /// <summary>False turns the gate off (every decodable image goes to the model); the OOD check still runs.</summary>
    public bool QualityGate { get; set; } = true;

    /// <summary>Shortest side, in pixels, an image must have.</summary>
    public int MinSide { get; set; } = 128;

    /// <summary>Largest long-side/short-side ratio (a 35x43 cm cassette is 1.23).</summary>
    public double MaxAspectRatio { get; set; } = 2.0;

    /// <summary>Below this standard deviation of grey levels the frame is blank or nearly uniform.</summary>
    public double MinContrast { get; set; } = 12;

    /// <summary>Largest fraction of pixels clipped black (at or below grey 2) before the image counts as under-exposed.</summary>
    public double MaxDarkFraction { get; set; } = 0.5;

    /// <summary>Largest fraction of pixels clipped white (at or above grey 253) before the image counts as over-exposed.</summary>
    public double MaxBrightFraction { get; set; } = 0.25;

    /// <summary>Lowest mean grey level (darker images are under-exposed).</summary>
    public double MinMeanLevel { get; set; } = 40;

    /// <summary>Highest mean grey level (brighter images are over-exposed).</summary>
    public double MaxMeanLevel { get; set; } = 225;

    /// <summary>Below this Laplacian variance the image is too blurred to read.</summary>
    public double MinSharpness { get; set; } = 20;

    /// <summary>Above this Laplacian variance the image is dominated by noise (sensor fault, no anatomy).</summary>
    public double MaxSharpness { get; set; } = 12000;

    /// <summary>
    /// Lowest left-right mirror correlation (<see cref="MirrorSymmetry"/>): frontal chest films are roughly symmetric;
    /// noise and many non-chest pictures are not. 0 or below turns the rule off.
    /// </summary>
    public double MinSymmetry { get; set; } = 0.3;

    /// <summary>DICOM Modality values accepted when the tag is present (case-insensitive).</summary>
    public List<string>? AllowedModalities { get; set; }

    /// <summary>DICOM BodyPartExamined values accepted when the tag is present (case-insensitive).</summary>
    public List<string>? AllowedBodyParts { get; set; }

    /// <summary>DICOM ViewPosition values refused (lateral views; the model was trained on PA/AP).</summary>
    public List<string>? RejectedViewPositions { get; set; }

    // Lists are null by default and filled here: the configuration binder appends to a pre-filled list.
    public IReadOnlyList<string> Modalities => AllowedModalities is { Count: > 0 } m ? m : ["CR", "DX"];
    public IReadOnlyList<string> BodyParts => AllowedBodyParts is { Count: > 0 } b ? b : ["CHEST"];
    public IReadOnlyList<string> LateralViews => RejectedViewPositions is { Count: > 0 } v ? v : ["LAT", "LL", "RL", "LATERAL"];

    /// <summary>Problems with these options, each naming its key under <paramref name="section"/>.</summary>
    public IReadOnlyList<string> Validate(string section = SectionName)
    {
        var errors = new List<string>();
        void Require(bool ok, string key, string rule, object value)
        {
            if (!ok)
            {
                errors.Add($"{section}:{key} {rule} (got {value})");
            }
        }

        Require(MinSide >= 1, nameof(MinSide), "must be at least 1 pixel", MinSide);
        Require(MaxAspectRatio >= 1 && double.IsFinite(MaxAspectRatio), nameof(MaxAspectRatio), "must be a finite number of at least 1", MaxAspectRatio);
        Require(MinContrast >= 0 && double.IsFinite(MinContrast), nameof(MinContrast), "must be a finite grey level of at least 0", MinContrast);
        Require(MaxDarkFraction is >= 0 and <= 1, nameof(MaxDarkFraction), "must be a fraction between 0 and 1", MaxDarkFraction);
        Require(MaxBrightFraction is >= 0 and <= 1, nameof(MaxBrightFraction), "must be a fraction between 0 and 1", MaxBrightFraction);
        Require(MinMeanLevel is >= 0 and <= 255, nameof(MinMeanLevel), "must be a grey level between 0 and 255", MinMeanLevel);
        Require(MaxMeanLevel is >= 0 and <= 255, nameof(MaxMeanLevel), "must be a grey level between 0 and 255", MaxMeanLevel);
        Require(MinMeanLevel < MaxMeanLevel, nameof(MinMeanLevel), $"must be below {section}:{nameof(MaxMeanLevel)} ({MaxMeanLevel})", MinMeanLevel);
        Require(MinSharpness >= 0 && double.IsFinite(MinSharpness), nameof(MinSharpness), "must be a finite number of at least 0", MinSharpness);
        Require(MaxSharpness > MinSharpness, nameof(MaxSharpness), $"must be above {section}:{nameof(MinSharpness)} ({MinSharpness})", MaxSharpness);
        Require(MinSymmetry <= 1 && double.IsFinite(MinSymmetry), nameof(MinSymmetry), "must be a finite correlation of at most 1", MinSymmetry);
        foreach (var (key, list) in new[] { (nameof(AllowedModalities), AllowedModalities), (nameof(AllowedBodyParts), AllowedBodyParts), (nameof(RejectedViewPositions), RejectedViewPositions) })
        {
            Require(list is null || list.All(v => !string.IsNullOrWhiteSpace(v)), key, "must not contain empty values", list is null ? "null" : string.Join(",", list));
        }

        return errors;
    }
}
