using System.Text.Json.Serialization;

namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// Source-generated (trimming-safe) JSON for manifest.json: camelCase names, enums as strings,
/// nulls omitted when writing, unknown properties refused when reading (a misspelt key is an error,
/// not a silently ignored setting).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ModelManifest))]
public sealed partial class ModelManifestJsonContext : JsonSerializerContext;
