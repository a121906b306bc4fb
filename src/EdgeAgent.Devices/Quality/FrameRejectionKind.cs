namespace EdgeAgent.Devices.Quality;

/// <summary>Why a frame was not sent for diagnosis (stable codes for results and dashboards).</summary>
public enum FrameRejectionKind
{
    TooSmall,
    Black,
    Saturated,
    Blank,
    Blurred,
}
