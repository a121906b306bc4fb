using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Which tensors of a graph hold float32, by forward propagation of element types through the node list. Enough to
/// keep shape arithmetic (Shape → Gather → Concat → Reshape) out of quantization and calibration.
/// </summary>
internal static class FloatTensorInference
{
    private static readonly HashSet<string> IntegerProducers =
        ["Shape", "Size", "ArgMax", "ArgMin", "NonZero", "Range", "NonMaxSuppression", "TopK"];

    private static readonly HashSet<string> BooleanProducers =
        ["Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf"];

    public static HashSet<string> Infer(GraphProto graph)
    {
        const int floatType = (int)TensorProto.Types.DataType.Float;
        var floats = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in graph.Input.Where(i => i.Type?.TensorType?.ElemType == floatType))
        {
            floats.Add(input.Name);
        }

        foreach (var tensor in graph.Initializer.Where(t => t.DataType == floatType))
        {
            floats.Add(tensor.Name);
        }

        foreach (var node in graph.Node)
        {
            bool isFloat;
            if (IntegerProducers.Contains(node.OpType) || BooleanProducers.Contains(node.OpType))
            {
                // TopK's values follow its input; its indices (output 1) do not.
                if (node.OpType == "TopK" && node.Input.Count > 0 && floats.Contains(node.Input[0]))
                {
                    floats.Add(node.Output[0]);
                }

                continue;
            }

            switch (node.OpType)
            {
                case "Cast":
                    isFloat = node.Attribute.FirstOrDefault(a => a.Name == "to")?.I == floatType;
                    break;
                case "Constant":
                    isFloat = node.Attribute.FirstOrDefault(a => a.Name is "value" or "value_float" or "value_floats") is { } v
                        && (v.Name != "value" || v.T?.DataType == floatType);
                    break;
                case "ConstantOfShape":
                    var value = node.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
                    isFloat = value is null || value.DataType == floatType;
                    break;
                case "Where":
                    isFloat = node.Input.Count > 1 && floats.Contains(node.Input[1]);
                    break;
                case "QuantizeLinear":
                    isFloat = false;
                    break;
                case "DequantizeLinear":
                    isFloat = true;
                    break;
                default:
                    isFloat = node.Input.Count > 0 && floats.Contains(node.Input[0]);
                    break;
            }

            if (isFloat)
            {
                // MaxPool's optional indices output and LSTM/GRU state outputs: only MaxPool's second output is not float.
                for (var i = 0; i < node.Output.Count; i++)
                {
                    if (node.Output[i].Length > 0 && !(node.OpType == "MaxPool" && i == 1))
                    {
                        floats.Add(node.Output[i]);
                    }
                }
            }
        }

        return floats;
    }
}
