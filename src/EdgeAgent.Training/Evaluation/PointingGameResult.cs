namespace EdgeAgent.Training.Evaluation;

/// <summary>Pointing game per class: share of images whose Grad-CAM maximum lies inside the dilated lesion mask.</summary>
public sealed record PointingGameResult(string Label, int Hits, int Total, int DilationPixels)
{
    public double HitRate => Total == 0 ? double.NaN : (double)Hits / Total;
}
