using System.Globalization;
using EdgeAgent.Imaging;
using EdgeAgent.Imaging.Statistics;

namespace EdgeAgent.Inference.Safety;

/// <summary>
/// Refuses, before the model runs, images it cannot judge: too small, extreme aspect ratio, blank, badly exposed,
/// blurred, dominated by noise, or (from DICOM tags, when present) not a frontal chest radiograph. Every failed rule
/// gives its own reason, so a radiographer sees everything to fix in one go.
/// </summary>
public sealed class InputQualityGate
{
    private readonly SafetyOptions options;

    public InputQualityGate(SafetyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        this.options = options;
    }

    public QualityVerdict Check(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var stats = ImageStatistics.Compute(image);
        var reasons = new List<string>();
        if (options.QualityGate)
        {
            CheckGeometry(stats, reasons);
            if (CheckExposure(stats, reasons))
            {
                CheckSymmetry(image, reasons);
            }
        }

        if (image.Dicom is { } dicom)
        {
            CheckDicom(dicom, reasons);
        }

        return new QualityVerdict { Reasons = reasons, Statistics = stats };
    }

    private void CheckGeometry(ImageStatistics s, List<string> reasons)
    {
        if (Math.Min(s.Width, s.Height) < options.MinSide)
        {
            reasons.Add(F($"Image too small ({s.Width}x{s.Height} pixels; at least {options.MinSide} on each side needed). Send the original full-resolution image, not a thumbnail."));
        }

        if (s.AspectRatio > options.MaxAspectRatio)
        {
            reasons.Add(F($"Image shape is unusual for a chest film ({s.Width}x{s.Height}, ratio {s.AspectRatio:0.00}; at most {options.MaxAspectRatio:0.00}). Check the image is not cropped or a stitched/panoramic view."));
        }
    }

    private void CheckSymmetry(DecodedImage image, List<string> reasons)
    {
        var symmetry = MirrorSymmetry.Of(image);
        if (symmetry < options.MinSymmetry)
        {
            reasons.Add(F($"Image does not look like a frontal chest X-ray (left-right symmetry {symmetry:0.00}; at least {options.MinSymmetry:0.00} expected). Check the right image was sent, the patient is centred and the film is not rotated."));
        }
    }

    /// <returns>False for a blank frame (no point measuring anything else on it).</returns>
    private bool CheckExposure(ImageStatistics s, List<string> reasons)
    {
        if (s.StandardDeviation < options.MinContrast)
        {
            // A uniform frame fails the exposure and sharpness rules too; one clear reason is better than three.
            reasons.Add(F($"Image is blank or nearly uniform (grey-level spread {s.StandardDeviation:0.0}; at least {options.MinContrast:0.0} expected). Check the detector was exposed and the right image was sent."));
            return false;
        }

        if (s.Mean < options.MinMeanLevel || s.FractionDark > options.MaxDarkFraction)
        {
            reasons.Add(F($"Image is badly under-exposed or too dark (mean grey {s.Mean:0}, {s.FractionDark:P0} of pixels black). Re-take with a higher exposure, or check the window/level of the export."));
        }

        if (s.Mean > options.MaxMeanLevel || s.FractionBright > options.MaxBrightFraction)
        {
            reasons.Add(F($"Image is badly over-exposed or washed out (mean grey {s.Mean:0}, {s.FractionBright:P0} of pixels white). Re-take with a lower exposure, or check the window/level of the export."));
        }

        if (s.LaplacianVariance < options.MinSharpness)
        {
            reasons.Add(F($"Image is too blurred to read (sharpness {s.LaplacianVariance:0}; at least {options.MinSharpness:0} expected). Re-take, keeping the patient and camera still and in focus."));
        }
        else if (s.LaplacianVariance > options.MaxSharpness)
        {
            reasons.Add(F($"Image is dominated by noise (sharpness {s.LaplacianVariance:0}; at most {options.MaxSharpness:0} expected for a radiograph). Check the detector/camera and re-take."));
        }

        return true;
    }

    private void CheckDicom(DicomAttributes dicom, List<string> reasons)
    {
        if (Present(dicom.Modality) is { } modality && !Contains(options.Modalities, modality))
        {
            reasons.Add($"DICOM Modality is {modality}, not a radiograph ({string.Join("/", options.Modalities)}). Only chest X-rays can be assessed.");
        }

        if (Present(dicom.BodyPartExamined) is { } part && !Contains(options.BodyParts, part))
        {
            reasons.Add($"DICOM BodyPartExamined is {part}, not {string.Join("/", options.BodyParts)}. Only chest X-rays can be assessed.");
        }

        if (Present(dicom.ViewPosition) is { } view && Contains(options.LateralViews, view))
        {
            reasons.Add($"DICOM ViewPosition is {view} (a lateral view). The model reads frontal PA/AP chest views only; send the PA or AP image.");
        }
    }

    private static string? Present(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool Contains(IReadOnlyList<string> values, string value) =>
        values.Any(v => string.Equals(v.Trim(), value, StringComparison.OrdinalIgnoreCase));

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
