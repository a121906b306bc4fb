namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// Outputs of an ONNX recurrent node (layout 0): Y [seq, directions, batch, hidden],
/// Y_h [directions, batch, hidden] and, for LSTM only, Y_c.
/// </summary>
public sealed record RecurrentLayerOutputs(string Y, string YH, string? YC);
