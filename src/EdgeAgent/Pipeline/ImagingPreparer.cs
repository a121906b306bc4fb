using System.Diagnostics;
using EdgeAgent.Imaging;
using EdgeAgent.Imaging.Overlay;
using EdgeAgent.Imaging.Preprocessing;
using EdgeAgent.Inference;
using EdgeAgent.Messaging.Contracts;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Decodes PNG, JPEG, BMP, WebP and DICOM through the imaging library, preprocesses as the manifest says, and
/// draws overlays over the decoded image. Decoder refusals become <see cref="ImageRejectedException"/>s.
/// </summary>
public sealed class ImagingPreparer(string modelName, string modelVersion, bool modelTrained) : IImagePreparer
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
        var tensor = Preprocessor.ToTensor(image, spec);
        return new PreparedImage
        {
            Tensor = tensor,
            Width = image.Width,
            Height = image.Height,
            Dicom = ToIdentity(image.Dicom, fileName),
            DecodeMs = decodeMs,
            PreprocessMs = clock.Elapsed.TotalMilliseconds,
            RenderOverlay = (diagnosis, camLabel) => Render(image, diagnosis, camLabel),
        };
    }

    private byte[]? Render(DecodedImage image, Diagnosis diagnosis, string camLabel)
    {
        if (diagnosis.Cams is null || !diagnosis.Cams.TryGetValue(camLabel, out var cam))
        {
            return null;
        }

        var text = new OverlayText
        {
            Label = diagnosis.Label,
            Probability = diagnosis.Confidence,
            ModelName = modelName,
            ModelVersion = modelVersion,
            CamLabel = camLabel == diagnosis.Label ? null : camLabel,
            Banner = modelTrained ? null : "UNTRAINED MODEL - NOT A DIAGNOSIS",
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
