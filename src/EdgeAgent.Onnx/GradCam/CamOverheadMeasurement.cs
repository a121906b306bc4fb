namespace EdgeAgent.Onnx.GradCam;

/// <summary>Median Run times of a model with and without its Grad-CAM output, measured interleaved in one process.</summary>
public sealed record CamOverheadMeasurement(
    string Model, int Runs, double OriginalMedianMs, double WithCamMedianMs, int AddedNodes, int IntraOpThreads)
{
    /// <summary>(Run with cam) / (Run of the original model).</summary>
    public double Ratio => WithCamMedianMs / OriginalMedianMs;

    /// <summary>The <c>cam</c> output of the last timed Run (the benchmark's fixed random input), for comparing variants.</summary>
    public IReadOnlyList<float> Cam { get; init; } = [];
}
