using System.Text.Json;
using System.Text.RegularExpressions;

namespace EdgeAgent.Onnx.Packaging;

/// <summary>Reads and writes manifest.json through <see cref="ModelManifestJsonContext"/>, turning JSON errors into field-named ones.</summary>
public static partial class ModelManifestJson
{
    public const string FileName = "manifest.json";

    /// <summary>Largest manifest accepted: a real one is a few KB; this stops a hostile file from exhausting memory.</summary>
    public const int MaxBytes = 1 << 20;

    public static byte[] Serialize(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return JsonSerializer.SerializeToUtf8Bytes(manifest, ModelManifestJsonContext.Default.ModelManifest);
    }

    /// <summary>Parses manifest JSON; every failure is a <see cref="ModelPackageException"/> naming the field.</summary>
    public static ModelManifest Deserialize(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            throw new ModelPackageException(FileName, null, $"is {json.Length} bytes; at most {MaxBytes} are allowed");
        }

        try
        {
            return JsonSerializer.Deserialize(json, ModelManifestJsonContext.Default.ModelManifest)
                ?? throw new ModelPackageException(FileName, null, "must hold a JSON object, not null");
        }
        catch (JsonException ex)
        {
            throw Translate(ex);
        }
    }

    private static ModelPackageException Translate(JsonException ex)
    {
        var path = FieldFromPath(ex.Path);
        var where = ex.LineNumber is { } line ? $" (line {line + 1})" : string.Empty;
        var missing = MissingProperties().Match(ex.Message);
        if (missing.Success)
        {
            var names = missing.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => n.Trim('\''))
                .Select(n => path.Length == 0 ? n : $"{path}.{n}")
                .ToArray();
            return new ModelPackageException(FileName, names[0], $"{string.Join(", ", names)} {(names.Length == 1 ? "is" : "are")} required but missing{where}", ex);
        }

        var unknown = UnknownProperty().Match(ex.Message);
        if (unknown.Success)
        {
            var name = unknown.Groups["name"].Value;
            var field = path.EndsWith(name, StringComparison.Ordinal) || path.Length == 0 ? (path.Length == 0 ? name : path) : $"{path}.{name}";
            return new ModelPackageException(FileName, field, $"{field} is not a known manifest field{where}", ex);
        }

        if (path.Length == 0)
        {
            var problem = ex.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? "must hold one JSON object"
                : $"is not valid JSON{where}: {FirstSentence(ex.Message)}";
            return new ModelPackageException(FileName, null, problem, ex);
        }

        var detail = ex.Message switch
        {
            var m when m.Contains("doesn't allow null", StringComparison.Ordinal) => "must not be null",
            var m when m.Contains("could not be converted", StringComparison.Ordinal) => "has a value of the wrong JSON type or format",
            var m when m.StartsWith("must be", StringComparison.Ordinal) => m,
            var m => $"has an invalid value: {FirstSentence(m)}",
        };
        return new ModelPackageException(FileName, path, $"{path} {detail}{where}", ex);
    }

    /// <summary>"$.input.mean[1]" → "input.mean[1]".</summary>
    private static string FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return string.Empty;
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return BracketedName().Replace(field, m => "." + m.Groups["name"].Value).TrimStart('.');
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }

    [GeneratedRegex("missing required properties including: (?<names>.+?)\\.?$")]
    private static partial Regex MissingProperties();

    [GeneratedRegex("'(?<name>[^']+)' could not be mapped")]
    private static partial Regex UnknownProperty();

    [GeneratedRegex("\\['(?<name>[^']+)'\\]")]
    private static partial Regex BracketedName();
}
