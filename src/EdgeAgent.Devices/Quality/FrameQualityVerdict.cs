namespace EdgeAgent.Devices.Quality;

/// <summary>The quality gate's decision on one frame, with what it measured.</summary>
public sealed record FrameQualityVerdict(IReadOnlyList<FrameRejection> Rejections, FrameStatistics Statistics)
{
    public bool IsAccepted => Rejections.Count == 0;
}
