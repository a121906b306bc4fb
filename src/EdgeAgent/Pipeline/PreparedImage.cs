using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Pipeline;

/// <summary>An input decoded and turned into the model's tensor, with what the result needs to know about it.</summary>
public sealed record PreparedImage
{
    /// <summary>NCHW tensor [1, C, H, W] as the manifest's input spec asks.</summary>
    public required float[] Tensor { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    /// <summary>DICOM identifiers (study, series, instance, modality, body part, view) when the input was DICOM.</summary>
    public InputIdentity? Dicom { get; init; }
    public required double DecodeMs { get; init; }
    public required double PreprocessMs { get; init; }
    /// <summary>Why the input-quality gate refused this image (empty when accepted); a refused image has no tensor.</summary>
    public IReadOnlyList<string> Rejections { get; init; } = [];
    /// <summary>
    /// Renders the Grad-CAM overlay PNG (manifest of the model that made the diagnosis, diagnosis, CAM label, safety
    /// banner or null); null when overlays cannot be drawn. The legend names that model, not the start-up one.
    /// </summary>
    public Func<Onnx.Packaging.ModelManifest, Inference.Diagnosis, string, string?, byte[]?>? RenderOverlay { get; init; }
}
