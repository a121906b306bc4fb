using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// Conversions between .NET arrays and ONNX <see cref="TensorProto"/>s. Data is written as
/// little-endian raw_data (what ONNX Runtime reads fastest); reading accepts raw_data and the
/// typed repeated fields.
/// </summary>
public static class OnnxTensors
{
    public static TensorProto FromFloats(string name, ReadOnlySpan<float> data, params long[] shape)
    {
        CheckShape(name, data.Length, shape);
        var bytes = new byte[checked(data.Length * sizeof(float))];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(data).CopyTo(bytes);
        }
        else
        {
            for (var i = 0; i < data.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), data[i]);
            }
        }

        return Create(name, TensorProto.Types.DataType.Float, bytes, shape);
    }

    public static TensorProto FromInt64s(string name, ReadOnlySpan<long> data, params long[] shape)
    {
        CheckShape(name, data.Length, shape);
        var bytes = new byte[checked(data.Length * sizeof(long))];
        for (var i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), data[i]);
        }

        return Create(name, TensorProto.Types.DataType.Int64, bytes, shape);
    }

    /// <summary>An int8 tensor (e.g. symmetric quantized weights or a QDQ zero point).</summary>
    public static TensorProto FromInt8s(string name, ReadOnlySpan<sbyte> data, params long[] shape)
    {
        CheckShape(name, data.Length, shape);
        return Create(name, TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(data).ToArray(), shape);
    }

    /// <summary>A uint8 tensor (e.g. an asymmetric activation zero point).</summary>
    public static TensorProto FromUInt8s(string name, ReadOnlySpan<byte> data, params long[] shape)
    {
        CheckShape(name, data.Length, shape);
        return Create(name, TensorProto.Types.DataType.Uint8, data.ToArray(), shape);
    }

    /// <summary>An int32 tensor (e.g. a quantized bias).</summary>
    public static TensorProto FromInt32s(string name, ReadOnlySpan<int> data, params long[] shape)
    {
        CheckShape(name, data.Length, shape);
        var bytes = new byte[checked(data.Length * sizeof(int))];
        for (var i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), data[i]);
        }

        return Create(name, TensorProto.Types.DataType.Int32, bytes, shape);
    }

    /// <summary>A float16 tensor (IEEE half precision, as ONNX stores it).</summary>
    public static TensorProto FromHalves(string name, ReadOnlySpan<Half> data, params long[] shape)
    {
        CheckShape(name, data.Length, shape);
        var bytes = new byte[checked(data.Length * 2)];
        for (var i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), data[i]);
        }

        return Create(name, TensorProto.Types.DataType.Float16, bytes, shape);
    }

    /// <summary>Reads a float tensor's values (raw_data or float_data).</summary>
    public static float[] ToFloats(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireType(tensor, TensorProto.Types.DataType.Float);
        var count = checked((int)ElementCount(tensor.Dims));
        if (tensor.RawData.Length > 0)
        {
            RequireRawLength(tensor, count, sizeof(float));
            var result = new float[count];
            var raw = tensor.RawData.Span;
            for (var i = 0; i < count; i++)
            {
                result[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
            }

            return result;
        }

        RequireFieldLength(tensor, count, tensor.FloatData.Count);
        return [.. tensor.FloatData];
    }

    /// <summary>Reads an int64 tensor's values (raw_data or int64_data).</summary>
    public static long[] ToInt64s(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireType(tensor, TensorProto.Types.DataType.Int64);
        var count = checked((int)ElementCount(tensor.Dims));
        if (tensor.RawData.Length > 0)
        {
            RequireRawLength(tensor, count, sizeof(long));
            var result = new long[count];
            var raw = tensor.RawData.Span;
            for (var i = 0; i < count; i++)
            {
                result[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(i * sizeof(long))..]);
            }

            return result;
        }

        RequireFieldLength(tensor, count, tensor.Int64Data.Count);
        return [.. tensor.Int64Data];
    }

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public static long ElementCount(IEnumerable<long> dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long count = 1;
        foreach (var dim in dims)
        {
            count = checked(count * dim);
        }

        return count;
    }

    private static TensorProto Create(string name, TensorProto.Types.DataType type, byte[] bytes, long[] shape)
    {
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)type,
            // The array is fresh and owned by the tensor from here on, so wrapping skips a second copy.
            RawData = UnsafeByteOperations.UnsafeWrap(bytes),
        };
        tensor.Dims.AddRange(shape);
        return tensor;
    }

    private static void CheckShape(string name, int length, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Tensor '{name}': dimension {dim} is negative.", nameof(shape));
            }
        }

        var expected = ElementCount(shape);
        if (expected != length)
        {
            throw new ArgumentException(
                $"Tensor '{name}': shape [{string.Join(", ", shape)}] holds {expected} values but {length} were given.",
                nameof(shape));
        }
    }

    private static void RequireType(TensorProto tensor, TensorProto.Types.DataType type)
    {
        if (tensor.DataType != (int)type)
        {
            throw new InvalidOperationException(
                $"Tensor '{tensor.Name}' has data type {(TensorProto.Types.DataType)tensor.DataType}, expected {type}.");
        }
    }

    private static void RequireRawLength(TensorProto tensor, int count, int elementSize)
    {
        if (tensor.RawData.Length != (long)count * elementSize)
        {
            throw new InvalidOperationException(
                $"Tensor '{tensor.Name}': raw_data has {tensor.RawData.Length} bytes, expected {(long)count * elementSize}.");
        }
    }

    private static void RequireFieldLength(TensorProto tensor, int count, int actual)
    {
        if (actual != count)
        {
            throw new InvalidOperationException(
                $"Tensor '{tensor.Name}': holds {actual} values, its shape needs {count}.");
        }
    }
}
