namespace EdgeAgent.Inference;

/// <summary>One class's raw Grad-CAM grid at the target layer's resolution, row-major (before any upsampling).</summary>
public sealed record ClassActivationMap(int Width, int Height, float[] Data);
