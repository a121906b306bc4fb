using System.Text;

namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// Reads the structure of an .onnx file (inputs, outputs, node outputs, op types, opsets) by walking the
/// protobuf wire format and seeking past tensor data, so checking a 500 MB model costs kilobytes of memory
/// instead of a second copy of its weights.
/// </summary>
public static class OnnxGraphScanner
{
    // Field numbers from onnx.proto (stable since ONNX 1.0).
    private const int ModelIrVersion = 1, ModelOpsetImport = 8, ModelGraph = 7;
    private const int OpsetDomain = 1, OpsetVersion = 2;
    private const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeOutput = 2, NodeOpType = 4, NodeDomain = 7;
    private const int TensorName = 8;
    private const int ValueInfoName = 1, ValueInfoType = 2;
    private const int TypeTensor = 1, TensorElemType = 1, TensorShape = 2, ShapeDim = 1, DimValue = 1, DimParam = 2;

    public static OnnxGraphSummary Scan(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Scan(stream, path);
    }

    /// <summary>Scans a seekable stream; <paramref name="source"/> names the file in errors.</summary>
    public static OnnxGraphSummary Scan(Stream stream, string source = "model.onnx")
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The stream must be seekable.", nameof(stream));
        }

        var reader = new WireReader(new BufferedStream(stream, 1 << 16), source);
        var state = new ScanState();
        long irVersion = 0;
        var sawGraph = false;
        var end = stream.Length;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case ModelIrVersion when wire == WireType.Varint:
                    irVersion = (long)reader.ReadVarint();
                    break;
                case ModelOpsetImport when wire == WireType.Length:
                    ReadOpset(reader, reader.ReadLengthEnd(), state);
                    break;
                case ModelGraph when wire == WireType.Length:
                    ReadGraph(reader, reader.ReadLengthEnd(), state);
                    sawGraph = true;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (!sawGraph)
        {
            throw new InvalidDataException($"{source}: the ONNX model has no graph.");
        }

        return new OnnxGraphSummary
        {
            Inputs = state.Inputs,
            Outputs = state.Outputs,
            InitializerNames = state.Initializers,
            NodeOutputNames = state.NodeOutputs,
            OpCounts = state.OpCounts,
            Opsets = state.Opsets,
            IrVersion = irVersion,
        };
    }

    private static void ReadOpset(WireReader reader, long end, ScanState state)
    {
        var domain = string.Empty;
        long version = 0;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (field == OpsetDomain && wire == WireType.Length)
            {
                domain = reader.ReadString();
            }
            else if (field == OpsetVersion && wire == WireType.Varint)
            {
                version = (long)reader.ReadVarint();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        state.Opsets[domain == "ai.onnx" ? string.Empty : domain] = version;
    }

    private static void ReadGraph(WireReader reader, long end, ScanState state)
    {
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (wire != WireType.Length)
            {
                reader.Skip(wire);
                continue;
            }

            switch (field)
            {
                case GraphNode:
                    ReadNode(reader, reader.ReadLengthEnd(), state);
                    break;
                case GraphInitializer:
                    ReadInitializer(reader, reader.ReadLengthEnd(), state);
                    break;
                case GraphInput:
                    state.Inputs.Add(ReadValueInfo(reader, reader.ReadLengthEnd()));
                    break;
                case GraphOutput:
                    state.Outputs.Add(ReadValueInfo(reader, reader.ReadLengthEnd()));
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        reader.ExpectAt(end);
    }

    private static void ReadNode(WireReader reader, long end, ScanState state)
    {
        var opType = string.Empty;
        var domain = string.Empty;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (wire == WireType.Length && field == NodeOutput)
            {
                var output = reader.ReadString();
                if (output.Length > 0)
                {
                    state.NodeOutputs.Add(output);
                }
            }
            else if (wire == WireType.Length && field == NodeOpType)
            {
                opType = reader.ReadString();
            }
            else if (wire == WireType.Length && field == NodeDomain)
            {
                domain = reader.ReadString();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        reader.ExpectAt(end);
        var key = domain is "" or "ai.onnx" ? opType : $"{domain}.{opType}";
        state.OpCounts[key] = state.OpCounts.GetValueOrDefault(key) + 1;
    }

    private static void ReadInitializer(WireReader reader, long end, ScanState state)
    {
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (field == TensorName && wire == WireType.Length)
            {
                state.Initializers.Add(reader.ReadString());
            }
            else
            {
                reader.Skip(wire);   // raw_data and friends: seek past them
            }
        }

        reader.ExpectAt(end);
    }

    private static GraphValueInfo ReadValueInfo(WireReader reader, long end)
    {
        var name = string.Empty;
        var elementType = 0;
        List<TensorDim?>? shape = null;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (field == ValueInfoName && wire == WireType.Length)
            {
                name = reader.ReadString();
            }
            else if (field == ValueInfoType && wire == WireType.Length)
            {
                (elementType, shape) = ReadType(reader, reader.ReadLengthEnd());
            }
            else
            {
                reader.Skip(wire);
            }
        }

        reader.ExpectAt(end);
        return new GraphValueInfo(name, elementType, shape);
    }

    private static (int ElementType, List<TensorDim?>? Shape) ReadType(WireReader reader, long end)
    {
        var elementType = 0;
        List<TensorDim?>? shape = null;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (field != TypeTensor || wire != WireType.Length)
            {
                reader.Skip(wire);
                continue;
            }

            var tensorEnd = reader.ReadLengthEnd();
            while (reader.Position < tensorEnd)
            {
                var (inner, innerWire) = reader.ReadTag();
                if (inner == TensorElemType && innerWire == WireType.Varint)
                {
                    elementType = (int)reader.ReadVarint();
                }
                else if (inner == TensorShape && innerWire == WireType.Length)
                {
                    shape = ReadShape(reader, reader.ReadLengthEnd());
                }
                else
                {
                    reader.Skip(innerWire);
                }
            }

            reader.ExpectAt(tensorEnd);
        }

        reader.ExpectAt(end);
        return (elementType, shape);
    }

    private static List<TensorDim?> ReadShape(WireReader reader, long end)
    {
        var dims = new List<TensorDim?>();
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (field != ShapeDim || wire != WireType.Length)
            {
                reader.Skip(wire);
                continue;
            }

            var dimEnd = reader.ReadLengthEnd();
            TensorDim? dim = null;
            while (reader.Position < dimEnd)
            {
                var (inner, innerWire) = reader.ReadTag();
                if (inner == DimValue && innerWire == WireType.Varint)
                {
                    var value = (long)reader.ReadVarint();
                    dim = value >= 0 ? TensorDim.Fixed(value) : (TensorDim?)null;
                }
                else if (inner == DimParam && innerWire == WireType.Length)
                {
                    var param = reader.ReadString();
                    dim = param.Length > 0 ? TensorDim.Dynamic(param) : (TensorDim?)null;
                }
                else
                {
                    reader.Skip(innerWire);
                }
            }

            reader.ExpectAt(dimEnd);
            dims.Add(dim);
        }

        reader.ExpectAt(end);
        return dims;
    }

    private sealed class ScanState
    {
        public List<GraphValueInfo> Inputs { get; } = [];
        public List<GraphValueInfo> Outputs { get; } = [];
        public HashSet<string> Initializers { get; } = new(StringComparer.Ordinal);
        public HashSet<string> NodeOutputs { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> OpCounts { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> Opsets { get; } = new(StringComparer.Ordinal);
    }

    private enum WireType
    {
        Varint = 0,
        Fixed64 = 1,
        Length = 2,
        Fixed32 = 5,
    }

    /// <summary>Minimal protobuf wire reader over a seekable stream, tracking its own position.</summary>
    private sealed class WireReader(Stream stream, string source)
    {
        private readonly long length = stream.Length;

        public long Position { get; private set; }

        public (int Field, WireType Wire) ReadTag()
        {
            var tag = ReadVarint();
            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            if (field <= 0 || wire is 3 or 4 or 6 or 7)
            {
                throw Corrupt($"unsupported field tag {tag}");
            }

            return (field, (WireType)wire);
        }

        public ulong ReadVarint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = stream.ReadByte();
                if (b < 0)
                {
                    throw Corrupt("truncated varint");
                }

                Position++;
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            throw Corrupt("varint longer than 10 bytes");
        }

        /// <summary>Reads a length prefix and returns the absolute end of the field.</summary>
        public long ReadLengthEnd()
        {
            var size = ReadVarint();
            if (size > (ulong)(length - Position))
            {
                throw Corrupt($"a field of {size} bytes runs past the end of the file");
            }

            return Position + (long)size;
        }

        public string ReadString()
        {
            var end = ReadLengthEnd();
            var size = checked((int)(end - Position));
            if (size > 1 << 20)
            {
                throw Corrupt($"a name of {size} bytes");
            }

            var buffer = new byte[size];
            stream.ReadExactly(buffer);
            Position = end;
            return Encoding.UTF8.GetString(buffer);
        }

        public void Skip(WireType wire)
        {
            switch (wire)
            {
                case WireType.Varint:
                    ReadVarint();
                    break;
                case WireType.Fixed64:
                    Seek(Position + 8);
                    break;
                case WireType.Fixed32:
                    Seek(Position + 4);
                    break;
                case WireType.Length:
                    Seek(ReadLengthEnd());
                    break;
            }
        }

        public void ExpectAt(long end)
        {
            if (Position != end)
            {
                throw Corrupt("a nested message overruns its declared length");
            }
        }

        private void Seek(long target)
        {
            if (target > length)
            {
                throw Corrupt("a field runs past the end of the file");
            }

            stream.Seek(target, SeekOrigin.Begin);
            Position = target;
        }

        private InvalidDataException Corrupt(string what) =>
            new($"{source}: not a valid ONNX model ({what} at byte {Position}).");
    }
}
