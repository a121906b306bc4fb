namespace EdgeAgent.Onnx.GradCam;

/// <summary>What the reverse pass must deliver at the target.</summary>
internal enum GradientRequest
{
    /// <summary>The full gradient, [K] + shape(target).</summary>
    Full,

    /// <summary>Only its sum over the spatial positions (what alpha needs); the full gradient when no shortcut applies.</summary>
    ChannelSum,

    /// <summary>Both: the full gradient (exposed as an output) and the channel sum by the shortcut when one applies.</summary>
    FullAndChannelSum,
}
