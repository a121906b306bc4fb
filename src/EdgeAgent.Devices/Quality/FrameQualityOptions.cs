namespace EdgeAgent.Devices.Quality;

/// <summary>
/// Configuration section <c>Devices:Quality</c>: when a captured frame is too poor to diagnose.
/// Brightness values are fractions of full scale (0 = black, 1 = white).
/// </summary>
public sealed class FrameQualityOptions
{
    public const string SectionName = "Devices:Quality";

    /// <summary>Smaller frames hold too little detail for the model's input (224 px and up).</summary>
    public int MinWidth { get; set; } = 224;

    public int MinHeight { get; set; } = 224;

    /// <summary>Below this average brightness the frame is black (monitor off, lens cap, light box off).</summary>
    public double MinMeanBrightness { get; set; } = 0.06;

    /// <summary>Pixels at or above this level count as clipped white.</summary>
    public double SaturatedLevel { get; set; } = 0.98;

    /// <summary>Above this share of clipped-white pixels the frame is over-exposed.</summary>
    public double MaxSaturatedFraction { get; set; } = 0.25;

    /// <summary>Below this standard deviation of brightness the frame is blank (nothing on the film or screen).</summary>
    public double MinContrast { get; set; } = 0.03;

    /// <summary>
    /// Below this sharpness (RMS of the Laplacian over the brightness standard deviation, measured at
    /// 256 px on the long side) the frame is blurred. Measured on the chest phantoms of the tests:
    /// sharp 0.40-0.58 at every resolution; blurred by a Gaussian of sigma 1.4 px at that scale
    /// 0.07-0.10. The default sits between, on the lenient side; real films are softer than
    /// phantoms, so check it on a few good captures at a new site (the rejection names the value).
    /// </summary>
    public double MinSharpness { get; set; } = 0.15;
}
