using Onnx;

namespace EdgeAgent.Onnx.Graph;

/// <summary>Reads and writes .onnx files (protobuf ModelProto).</summary>
public static class OnnxModelFile
{
    /// <summary>Writes the model to a sibling temp file first, then moves it over <paramref name="path"/>,
    /// so a crash never leaves a half-written model behind.</summary>
    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(model, stream);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public static void Write(ModelProto model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var output = new Google.Protobuf.CodedOutputStream(stream, leaveOpen: true);
        model.WriteTo(output);
        output.Flush();
    }

    public static byte[] ToBytes(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var memory = new MemoryStream();
        Write(model, memory);
        return memory.ToArray();
    }

    public static ModelProto Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Parses a model; <paramref name="source"/> names the file in the error of a corrupt stream.</summary>
    public static ModelProto Read(Stream stream, string source = "model")
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            var model = ModelProto.Parser.ParseFrom(stream);
            if (model.Graph is null)
            {
                throw new InvalidDataException($"{source}: the ONNX model has no graph.");
            }

            return model;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"{source}: not a valid ONNX model ({ex.Message}).", ex);
        }
    }

    public static ModelProto FromBytes(byte[] bytes, string source = "model")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var memory = new MemoryStream(bytes, writable: false);
        return Read(memory, source);
    }
}
