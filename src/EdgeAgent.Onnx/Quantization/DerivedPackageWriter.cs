using EdgeAgent.Onnx.Packaging;
using Onnx;

namespace EdgeAgent.Onnx.Quantization;

/// <summary>
/// Writes a package derived from another (int8 or fp16 copy): the new model and manifest plus every other file of
/// the source (golden images, notes). The source's signature is dropped: it signs the old manifest.
/// </summary>
public static class DerivedPackageWriter
{
    /// <summary>Writes a folder, or a zip when <paramref name="outputPath"/> ends in .zip; returns the manifest written.</summary>
    public static ModelManifest Write(ModelPackage source, ModelProto model, ModelManifest manifest, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        var writer = new ModelPackageWriter(manifest).WithModel(model);
        foreach (var file in source.Files)
        {
            if (file is not (ModelPackage.ModelFileName or ModelPackage.ManifestFileName or ModelPackage.SignatureFileName))
            {
                writer.AddFileFrom(file, source.ResolveFile(file));
            }
        }

        return outputPath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? writer.WriteZip(outputPath) : writer.WriteFolder(outputPath);
    }
}
