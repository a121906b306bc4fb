namespace EdgeAgent.Onnx.GradCam;

/// <summary>Median Run times of a model with and without its Grad-CAM output, measured interleaved in one process.</summary>
public sealed record CamOverheadMeasurement(
    string Model, int Runs, double OriginalMedianMs, double WithCamMedianMs, int AddedNodes, int IntraOpThreads)
{
    /// <summary>(Run with cam) / (Run of the original model).</summary>
    public double Ratio => WithCamMedianMs / OriginalMedianMs;

    /// <summary>Median process CPU time per Run of the original model (all threads of the process).</summary>
    public double OriginalCpuMedianMs { get; init; }

    /// <summary>Median process CPU time per Run of the model with <c>cam</c>.</summary>
    public double WithCamCpuMedianMs { get; init; }

    /// <summary>(CPU time with cam) / (CPU time of the original).</summary>
    public double CpuRatio => WithCamCpuMedianMs / OriginalCpuMedianMs;

    /// <summary>
    /// Median over the timed iterations of (cam Run) / (original Run), each pair run back to back: a load change between
    /// iterations scales both members of a pair, so this is less disturbed than the ratio of medians.
    /// </summary>
    public double PairedRatio { get; init; }

    /// <summary>The <c>cam</c> output of the last timed Run (the benchmark's fixed random input), for comparing variants.</summary>
    public IReadOnlyList<float> Cam { get; init; } = [];
}
