namespace EdgeAgent.Onnx.Graph;

/// <summary>The ONNX "direction" attribute of LSTM, GRU and RNN.</summary>
public enum RecurrentDirection
{
    Forward,
    Reverse,
    Bidirectional,
}
