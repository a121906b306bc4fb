using System.Globalization;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Inference.Safety;

/// <summary>
/// Scores a diagnosis's logits with the manifest's OOD score and compares it with the manifest's thresholds:
/// above OodThreshold is out-of-distribution, above ReviewThreshold needs review, otherwise ok.
/// When the package has feature statistics (safety.featureDistance), the Mahalanobis feature distance decides
/// out-of-distribution / needs-review and the energy score can only ask for review (see docs/safety.md).
/// </summary>
public static class OodAssessor
{
    /// <summary>
    /// The verdict on a diagnosis: the feature distance when the manifest and the diagnosis carry one, combined with the
    /// energy score; the energy score alone for packages without feature statistics.
    /// </summary>
    public static SafetyAssessment Assess(Diagnosis diagnosis, SafetySpec? safety)
    {
        ArgumentNullException.ThrowIfNull(diagnosis);
        var energy = Assess(diagnosis.Logits, safety);
        if (safety?.FeatureDistance is not { } spec)
        {
            return energy;
        }

        if (diagnosis.FeatureDistance is not { } distance)
        {
            return energy with
            {
                Reasons = [.. energy.Reasons, "The model package has feature statistics but they were not applied to this image (no pooled features), so only the energy score was checked."],
            };
        }

        var byDistance = AssessDistance(distance, spec);
        // Energy separates non-chest images poorly on its own (docs/safety.md): next to the feature distance it can
        // only ask for review, so the two checks together do not flag more X-rays as out-of-distribution than the
        // distance's stated true-positive rate.
        var byEnergy = energy.Status == SafetyStatus.OutOfDistribution ? SafetyStatus.NeedsReview : SafetyStatus.Ok;
        var energyReasons = energy.Status == SafetyStatus.OutOfDistribution ? energy.Reasons : [];
        var status = Math.Max(Severity(byDistance.Status), Severity(byEnergy)) switch
        {
            2 => SafetyStatus.OutOfDistribution,
            1 => SafetyStatus.NeedsReview,
            _ => SafetyStatus.Ok,
        };
        return new SafetyAssessment
        {
            Status = status,
            Reasons = [.. byDistance.Reasons, .. energyReasons],
            OodScore = energy.OodScore,
            FeatureDistance = double.IsFinite(distance) ? distance : null,
        };
    }

    private static int Severity(SafetyStatus status) => status switch
    {
        SafetyStatus.OutOfDistribution => 2,
        SafetyStatus.NeedsReview => 1,
        _ => 0,
    };

    private static SafetyAssessment AssessDistance(double distance, FeatureDistanceSpec spec)
    {
        if (!double.IsFinite(distance))
        {
            return new SafetyAssessment
            {
                Status = SafetyStatus.OutOfDistribution,
                Reasons = ["The model produced non-finite features for this image; the result cannot be trusted. A radiologist must read it."],
            };
        }

        var tpr = spec.ThresholdTpr is { } t ? string.Create(CultureInfo.InvariantCulture, $", set to accept {t:P0} of validation X-rays") : string.Empty;
        if (distance > spec.OodThreshold)
        {
            return new SafetyAssessment
            {
                Status = SafetyStatus.OutOfDistribution,
                Reasons = [string.Create(CultureInfo.InvariantCulture,
                    $"The image's features are far from every class of chest X-ray the model was trained on (feature distance {distance:0.##} above the limit {spec.OodThreshold:0.##}{tpr}). Do not rely on the label; a radiologist should read it.")],
            };
        }

        if (spec.ReviewThreshold is { } review && distance > review)
        {
            return new SafetyAssessment
            {
                Status = SafetyStatus.NeedsReview,
                Reasons = [string.Create(CultureInfo.InvariantCulture,
                    $"The image's features are at the edge of what the model was trained on (feature distance {distance:0.##} above the review limit {review:0.##}). Have a radiologist confirm the label.")],
            };
        }

        return new SafetyAssessment { Status = SafetyStatus.Ok, Reasons = [] };
    }

    public static SafetyAssessment Assess(IReadOnlyList<float> logits, SafetySpec? safety)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var temperature = safety?.Temperature ?? 1.0;
        var score = OodScores.Score(safety?.OodScore, logits, temperature);
        if (!double.IsFinite(score))
        {
            return new SafetyAssessment
            {
                Status = SafetyStatus.OutOfDistribution,
                Reasons = ["The model produced non-finite scores for this image; the result cannot be trusted. A radiologist must read it."],
            };
        }

        if (safety?.OodThreshold is not { } oodLimit)
        {
            return new SafetyAssessment
            {
                Status = SafetyStatus.Ok,
                Reasons = ["The model package has no out-of-distribution threshold, so unusual images are not flagged."],
                OodScore = score,
            };
        }

        var tpr = safety.ThresholdTpr is { } t ? string.Create(CultureInfo.InvariantCulture, $", set to accept {t:P0} of validation X-rays") : string.Empty;
        if (score > oodLimit)
        {
            return new SafetyAssessment
            {
                Status = SafetyStatus.OutOfDistribution,
                Reasons = [string.Create(CultureInfo.InvariantCulture,
                    $"The image does not resemble the chest X-rays the model was trained on (OOD score {score:0.###} above the limit {oodLimit:0.###}{tpr}). Do not rely on the label; a radiologist should read it.")],
                OodScore = score,
            };
        }

        if (safety.ReviewThreshold is { } reviewLimit && score > reviewLimit)
        {
            return new SafetyAssessment
            {
                Status = SafetyStatus.NeedsReview,
                Reasons = [string.Create(CultureInfo.InvariantCulture,
                    $"The model is unsure whether this image is like its training data (OOD score {score:0.###} above the review limit {reviewLimit:0.###}). Have a radiologist confirm the label.")],
                OodScore = score,
            };
        }

        return new SafetyAssessment { Status = SafetyStatus.Ok, Reasons = [], OodScore = score };
    }
}
