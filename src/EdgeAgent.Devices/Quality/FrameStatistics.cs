namespace EdgeAgent.Devices.Quality;

/// <summary>What the quality gate measured on a frame (brightness values are fractions of full scale).</summary>
public sealed record FrameStatistics(
    double MeanBrightness,
    double Contrast,
    double SaturatedFraction,
    double Sharpness);
