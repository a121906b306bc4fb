namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// One dimension of a graph input or output: either a fixed size or a named symbolic size
/// (such as the dynamic batch "N").
/// </summary>
public readonly record struct TensorDim
{
    private TensorDim(long? value, string? param)
    {
        Value = value;
        Param = param;
    }

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Value { get; }

    /// <summary>The symbolic name, or null for a fixed dimension.</summary>
    public string? Param { get; }

    public bool IsDynamic => Param is not null;

    /// <summary>The conventional dynamic batch dimension.</summary>
    public static TensorDim Batch { get; } = new(null, "N");

    public static TensorDim Fixed(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new TensorDim(value, null);
    }

    public static TensorDim Dynamic(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new TensorDim(null, name);
    }

    public static implicit operator TensorDim(long value) => Fixed(value);

    public static implicit operator TensorDim(string name) => Dynamic(name);

    public override string ToString() => Param ?? Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
