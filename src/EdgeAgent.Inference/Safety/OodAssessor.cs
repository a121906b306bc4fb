using System.Globalization;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Inference.Safety;

/// <summary>
/// Scores a diagnosis's logits with the manifest's OOD score and compares it with the manifest's thresholds:
/// above OodThreshold is out-of-distribution, above ReviewThreshold needs review, otherwise ok.
/// </summary>
public static class OodAssessor
{
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
