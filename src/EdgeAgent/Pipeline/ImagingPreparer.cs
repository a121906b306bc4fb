using System.Diagnostics;
using EdgeAgent.Imaging;
using EdgeAgent.Imaging.Overlay;
using EdgeAgent.Imaging.Preprocessing;
using EdgeAgent.Inference;
using EdgeAgent.Inference.Safety;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Decodes PNG, JPEG, BMP, WebP and DICOM through the imaging library, preprocesses as the manifest says, and
/// draws overlays over the decoded image. Decoder refusals become <see cref="ImageRejectedException"/>s; images the
/// input-quality gate refuses come back with <see cref="PreparedImage.Rejections"/> (a result, not a quarantine).
/// The overlay legend names the model passed to <see cref="PreparedImage.RenderOverlay"/>, i.e. the model that made
/// the diagnosis (after a model update that is not the start-up model).
/// </summary>
public sealed class ImagingPreparer(InputQualityGate? gate = null) : IImagePreparer
{
    public PreparedImage Prepare(ReadOnlyMemory<byte> content, string fileName, InputSpec spec)
    {
        var clock = Stopwatch.StartNew();
        DecodedImage image;
        try
        {
            image = ImageDecoder.Decode(content.ToArray(), fileName);
        }
        catch (ImageDecodeException ex)
        {
            throw new ImageRejectedException("decode", $"'{fileName}' cannot be read as an X-ray image: {ex.Reason}.", ex);
        }

        var decodeMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        if (gate?.Check(image) is { Accepted: false } verdict)
        {
            return new PreparedImage
            {
                Tensor = [],
                Width = image.Width,
                Height = image.Height,
                Dicom = ToIdentity(image.Dicom, fileName),
                DecodeMs = decodeMs,
                PreprocessMs = clock.Elapsed.TotalMilliseconds,
                Rejections = verdict.Reasons,
            };
        }

        var tensor = Preprocessor.ToTensor(image, spec);
        return new PreparedImage
        {
            Tensor = tensor,
            Width = image.Width,
            Height = image.Height,
            Dicom = ToIdentity(image.Dicom, fileName),
            DecodeMs = decodeMs,
            PreprocessMs = clock.Elapsed.TotalMilliseconds,
            RenderOverlay = (model, diagnosis, camLabel, banner) => Render(image, model, diagnosis, camLabel, banner),
        };
    }

    private static byte[]? Render(DecodedImage image, ModelManifest model, Diagnosis diagnosis, string camLabel, string? safetyBanner)
    {
        if (diagnosis.Cams is null || !diagnosis.Cams.TryGetValue(camLabel, out var cam))
        {
            return null;
        }

        var text = new OverlayText
        {
            Label = diagnosis.Label,
            Probability = diagnosis.Confidence,
            ModelName = model.Name,
            ModelVersion = model.Version,
            CamLabel = camLabel == diagnosis.Label ? null : camLabel,
            Banner = string.Join(" - ", new[] { safetyBanner, model.Trained ? null : "UNTRAINED MODEL - NOT A DIAGNOSIS" }.OfType<string>()) is { Length: > 0 } b ? b : null,
        };
        return OverlayRenderer.RenderPng(image, cam.Data, cam.Width, cam.Height, text);
    }

    private static InputIdentity? ToIdentity(DicomAttributes? dicom, string fileName) =>
        dicom is null
            ? null
            : new InputIdentity
            {
                FileName = fileName,
                Sha256 = string.Empty,
                StudyInstanceUid = dicom.StudyInstanceUid,
                SeriesInstanceUid = dicom.SeriesInstanceUid,
                SopInstanceUid = dicom.SopInstanceUid,
                Modality = dicom.Modality,
                BodyPartExamined = dicom.BodyPartExamined,
                ViewPosition = dicom.ViewPosition,
            };
}
