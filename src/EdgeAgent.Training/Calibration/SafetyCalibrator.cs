using System.Globalization;
using EdgeAgent.Inference.Safety;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Training.Data;
using EdgeAgent.Training.Training;

namespace EdgeAgent.Training.Calibration;

/// <summary>
/// Fits the manifest's safety section on a run's validation split: the calibration temperature (min NLL), then the
/// energy-score thresholds at the stated true-positive rates (OOD at 95%, review at 90% of validation X-rays accepted),
/// scored with the agent's own <see cref="OodScores"/> at the fitted temperature so device and fit agree. For a
/// frozen-backbone run also the Mahalanobis feature statistics (class means and tied covariance of the training split's
/// pooled target-layer features) and their distance thresholds on the validation split at the same rates, scored with
/// <see cref="FeatureStatistics.NearestClassDistance"/> exactly as the agent scores them.
/// </summary>
public static class SafetyCalibrator
{
    public const double OodTpr = 0.95;
    public const double ReviewTpr = 0.90;

    /// <summary>
    /// Feature-distance rates. Out-of-distribution is a rejection, and the issue allows at most 5 % of in-distribution
    /// X-rays to be rejected in all (gate included): at 95 % the distance alone rejects 5 % by construction, and the
    /// bundled run measured 6.7 % with the gate (docs/safety.md). The distance separates non-chest images completely
    /// (AUROC 1.000 there), so its rejection limit sits at 99 % and the 95 % limit asks for review instead.
    /// </summary>
    public const double DistanceOodTpr = 0.99;
    public const double DistanceReviewTpr = 0.95;
    public const string DiagramFileName = "reliability.png";

    public static SafetyFit Fit(RunModel model, RunDescriptor run, string diagramDirectory, TextWriter output, int rank = FeatureDistanceFitter.DefaultRank)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        var dataset = ImageFolderDataset.Load(run.DataDirectory);
        var wanted = run.ValidationFiles.ToHashSet(StringComparer.Ordinal);
        var samples = dataset.Samples.Where(s => wanted.Contains(s.RelativePath)).ToList();
        if (samples.Count < 20)
        {
            throw new InvalidOperationException(
                $"Only {samples.Count} validation images of the run are in {run.DataDirectory}; at least 20 are needed to fit a temperature and OOD threshold.");
        }

        var set = model.MakeInputs(samples, null, run.Training.Seed, null, "");
        var logits = ValidationLogits.Compute(model, set);
        var report = CalibrationReport.Fit(logits, set.Labels);
        var scores = logits.Select(z => OodScores.EnergyOf(z, report.Temperature)).ToList();
        FeatureStatistics? statistics = null;
        byte[]? file = null;
        FeatureDistanceSpec? distanceSpec = null;
        double shrinkage = double.NaN;
        if (model.Frozen is not null)
        {
            var trainWanted = run.TrainFiles.ToHashSet(StringComparer.Ordinal);
            var trainSamples = dataset.Samples.Where(s => trainWanted.Contains(s.RelativePath)).ToList();
            var trainSet = model.MakeInputs(trainSamples, null, run.Training.Seed, null, "");
            (statistics, shrinkage) = FeatureDistanceFitter.Fit(PooledFeatures.Compute(model, trainSet), trainSet.Labels, Data.ClassOrder.Count, rank);
            file = statistics.ToBytes();
            var distances = PooledFeatures.Compute(model, set).Select(f => statistics.NearestClassDistance(f)).ToList();
            distanceSpec = new FeatureDistanceSpec
            {
                File = FeatureDistanceSpec.DefaultFileName,
                Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)),
                OodThreshold = OodThreshold.AtTruePositiveRate(distances, DistanceOodTpr),
                ReviewThreshold = OodThreshold.AtTruePositiveRate(distances, DistanceReviewTpr),
                ThresholdTpr = DistanceOodTpr,
            };
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Feature statistics from {trainSamples.Count} training images: {statistics.Dimensions} features, {statistics.Rank} components, " +
                $"Ledoit-Wolf shrinkage {shrinkage:0.###}; distance thresholds review {distanceSpec.ReviewThreshold:0.##} ({DistanceReviewTpr:P0}), OOD {distanceSpec.OodThreshold:0.##} ({DistanceOodTpr:P0})."));
        }

        var safety = new SafetySpec
        {
            Temperature = report.Temperature,
            OodScore = OodScores.Energy,
            OodThreshold = OodThreshold.AtTruePositiveRate(scores, OodTpr),
            ReviewThreshold = OodThreshold.AtTruePositiveRate(scores, ReviewTpr),
            ThresholdTpr = OodTpr,
            FeatureDistance = distanceSpec,
        };
        ReliabilityDiagram.WritePng(Path.Combine(diagramDirectory, DiagramFileName), report.BinsBefore, report.EceBefore, report.BinsAfter, report.EceAfter, report.Temperature);
        var separableNote = report.Separable ? " (all classified correctly, so NLL has no minimum: T kept at 1)" : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Calibration on {report.Samples} validation images: T = {report.Temperature:0.000}{separableNote}, NLL {report.NllBefore:0.0000} -> {report.NllAfter:0.0000}, " +
            $"ECE(15 bins) {report.EceBefore:0.0000} -> {report.EceAfter:0.0000}; energy thresholds review {safety.ReviewThreshold:0.###} ({ReviewTpr:P0}), " +
            $"OOD {safety.OodThreshold:0.###} ({OodTpr:P0}). Diagram: {Path.Combine(diagramDirectory, DiagramFileName)}"));
        return new SafetyFit(safety, report, statistics, file, shrinkage);
    }
}
