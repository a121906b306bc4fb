using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Models;

/// <summary>Reads a model package folder (model.onnx + manifest.json) for the loader.</summary>
internal static class ModelPackageSource
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static (ModelManifest Manifest, byte[] Model) Read(string path)
    {
        var manifestPath = Path.Combine(path, "manifest.json");
        var modelPath = Path.Combine(path, "model.onnx");
        if (!File.Exists(manifestPath) || !File.Exists(modelPath))
        {
            throw new InvalidDataException($"Model package '{path}' must contain model.onnx and manifest.json");
        }

        var manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllBytes(manifestPath), Json)
            ?? throw new InvalidDataException($"Model package '{path}': manifest.json is empty");
        return (manifest, File.ReadAllBytes(modelPath));
    }
}
