using System.Globalization;
using System.Text;
using EdgeAgent.Imaging;
using EdgeAgent.Inference.Safety;
using EdgeAgent.Onnx.Packaging;
using EdgeAgent.Training.Data;
using EdgeAgent.Training.Training;

namespace EdgeAgent.Training.Calibration;

/// <summary>
/// `edge-train evaluate RUN --data DIR --ood DIR`: the clinical-safety numbers of a run on images it never saw.
/// The safety section is fitted exactly as `edge-train export` fits it (validation split), then the in-distribution set
/// (labelled chest X-rays) and the out-of-distribution set (every image under the OOD folder, grouped by its first
/// sub-folder, plus rotated and inverted copies of in-distribution images) go through the input-quality gate, the
/// energy score and the Mahalanobis feature distance, combined as the agent combines them (<see cref="OodAssessor"/>).
/// Calibration is measured on the in-distribution set before and after the fitted temperature, with the two references
/// needed to read it: the best temperature for that set itself, and the ECE a perfectly calibrated model would show on
/// that many images (sampling floor).
/// </summary>
public sealed class SafetyEvaluator(TextWriter output)
{
    /// <summary>In-distribution images that get a rotated and an inverted copy in the OOD set (evenly spread).</summary>
    public const int TransformedCopies = 100;

    /// <summary>Label draws for the ECE sampling floor: enough for its mean to settle to ~1e-3.</summary>
    public const int FloorDraws = 200;

    public string Evaluate(RunModel model, RunDescriptor run, IReadOnlyList<ImageSample> inDistribution, FeatureSet inputs, string oodDirectory, string outDirectory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inDistribution);
        if (!Directory.Exists(oodDirectory))
        {
            throw new DirectoryNotFoundException($"OOD folder '{oodDirectory}' does not exist (make one with `edge-agent synth DIR --not-chest`).");
        }

        Directory.CreateDirectory(outDirectory);
        // The training split's backbone features are needed twice (the fit, and the backbone-layer comparison): cache them.
        var cache = model.CacheDirectory is null ? Directory.CreateTempSubdirectory("edge-train-safety-cache").FullName : null;
        model.CacheDirectory ??= cache;
        try
        {
            return Evaluate(model, run, inDistribution, inputs, oodDirectory, outDirectory, SafetyCalibrator.Fit(model, run, outDirectory, output));
        }
        finally
        {
            if (cache is not null)
            {
                model.CacheDirectory = null;
                Directory.Delete(cache, recursive: true);
            }
        }
    }

    private string Evaluate(RunModel model, RunDescriptor run, IReadOnlyList<ImageSample> inDistribution, FeatureSet inputs, string oodDirectory, string outDirectory, SafetyFit fit)
    {
        var gate = new InputQualityGate(new SafetyOptions());
        // For comparison only: the same fit on the pooled raw backbone map instead of the CAM target layer.
        FeatureStatistics? backbone = null;
        if (model.Frozen is not null)
        {
            var dataset = ImageFolderDataset.Load(run.DataDirectory);
            var wanted = run.TrainFiles.ToHashSet(StringComparer.Ordinal);
            var train = model.MakeInputs([.. dataset.Samples.Where(s => wanted.Contains(s.RelativePath))], null, run.Training.Seed, null, "");
            backbone = FeatureDistanceFitter.Fit(PooledFeatures.Compute(model, train, PooledFeatures.Layer.Backbone), train.Labels, ClassOrder.Count).Statistics;
        }

        // In-distribution: logits, features, gate verdict on the full-resolution file.
        var inGate = inDistribution.Select(s => !gate.Check(ImageDecoder.DecodeFile(s.FullPath)).Accepted).ToArray();
        var inSet = Score(model, "chest X-rays (in-distribution)", inputs, inGate, fit, backbone);
        var inLogits = inSet.Logits;

        // Out-of-distribution: files by kind, then rotated / inverted chest X-rays.
        var oodSets = new List<ScoredSet>();
        var files = Directory.EnumerateFiles(oodDirectory, "*", SearchOption.AllDirectories)
            .Where(f => ImageFolderDataset.IsImageFile(f))
            .Order(StringComparer.Ordinal)
            .GroupBy(f => Path.GetRelativePath(oodDirectory, f).Split(Path.DirectorySeparatorChar)[0] is var first && first != Path.GetFileName(f) ? first : "other");
        foreach (var kind in files)
        {
            var decoded = kind.Select(f => ImageDecoder.DecodeFile(f)).ToList();
            var images = decoded.Select(d => new GrayImage(d.Width, d.Height, d.ToGray())).ToList();
            oodSets.Add(Score(model, kind.Key, model.MakeInputs(images), [.. decoded.Select(d => !gate.Check(d).Accepted)], fit, backbone));
        }

        var step = Math.Max(1, inDistribution.Count / TransformedCopies);
        var chosen = inDistribution.Where((_, i) => i % step == 0).Take(TransformedCopies).Select(s => ImageFileReader.Read(s.FullPath)).ToList();
        foreach (var (name, transform) in new (string, Func<GrayImage, GrayImage>)[] { ("chest rotated 90°", Rotate90), ("chest inverted", Invert) })
        {
            var images = chosen.Select(transform).ToList();
            oodSets.Add(Score(model, name, model.MakeInputs(images), [.. images.Select(i => !gate.Check(new DecodedImage(i.Width, i.Height, 1, i.Pixels)).Accepted)], fit, backbone));
        }

        var calibration = Calibrate(inLogits, inputs.Labels, fit.Report);
        var markdown = Render(run, fit, inSet, oodSets, calibration);
        var path = Path.Combine(outDirectory, "safety.md");
        File.WriteAllText(path, markdown);
        output.WriteLine(markdown);
        output.WriteLine($"Safety report: {path}");
        return markdown;
    }

    private sealed record ScoredSet(string Name, float[][] Logits, double[] Energy, double[] Distance, double[] BackboneDistance, bool[] GateRejected, SafetyStatus[] Status)
    {
        public int Count => Energy.Length;

        public double Share(Func<int, bool> predicate) => Count == 0 ? 0 : Enumerable.Range(0, Count).Count(predicate) / (double)Count;
    }

    private sealed record CalibrationNumbers(int Count, double Accuracy, double OracleTemperature, double EceBefore, double EceAfter, double EceOracle,
        double NllBefore, double NllAfter, double Floor, double FloorSpread);

    private static ScoredSet Score(RunModel model, string name, FeatureSet set, bool[] gateRejected, SafetyFit fit, FeatureStatistics? backbone)
    {
        var logits = ValidationLogits.Compute(model, set);
        var features = model.Frozen is null ? null : PooledFeatures.Compute(model, set);
        double[] backboneDistance = backbone is null
            ? [.. logits.Select(_ => double.NaN)]
            : [.. PooledFeatures.Compute(model, set, PooledFeatures.Layer.Backbone).Select(f => backbone.NearestClassDistance(f))];
        var energy = logits.Select(z => OodScores.EnergyOf(z, fit.Safety.Temperature)).ToArray();
        var distance = features is null || fit.Statistics is null
            ? [.. logits.Select(_ => double.NaN)]
            : features.Select(f => fit.Statistics.NearestClassDistance(f)).ToArray();
        var status = new SafetyStatus[logits.Length];
        for (var i = 0; i < logits.Length; i++)
        {
            // The agent's own decision rule, so the report measures what a device would do.
            var diagnosis = new Inference.Diagnosis
            {
                Probabilities = new Dictionary<string, double>(),
                Label = string.Empty,
                Logits = logits[i],
                TimingsMs = new Dictionary<string, double>(),
                Provider = "evaluation",
                FeatureDistance = fit.Statistics is null ? null : distance[i],
            };
            status[i] = gateRejected[i] ? SafetyStatus.Rejected : OodAssessor.Assess(diagnosis, fit.Safety).Status;
        }

        return new ScoredSet(name, logits, energy, distance, backboneDistance, gateRejected, status);
    }

    private static CalibrationNumbers Calibrate(float[][] logits, IReadOnlyList<int> labels, CalibrationReport validation)
    {
        var oracle = TemperatureScaling.Fit(logits, labels);
        var (confidences, _) = CalibrationError.TopClass(logits, labels, validation.Temperature);
        var (floor, spread) = CalibrationError.SamplingFloor(confidences, FloorDraws);
        var (_, correct) = CalibrationError.TopClass(logits, labels, 1.0);
        return new CalibrationNumbers(
            logits.Length,
            correct.Count(c => c) / (double)correct.Length,
            oracle,
            CalibrationError.OfLogits(logits, labels, 1.0),
            CalibrationError.OfLogits(logits, labels, validation.Temperature),
            CalibrationError.OfLogits(logits, labels, oracle),
            TemperatureScaling.NegativeLogLikelihood(logits, labels, 1.0),
            TemperatureScaling.NegativeLogLikelihood(logits, labels, validation.Temperature),
            floor,
            spread);
    }

    private static string Render(RunDescriptor run, SafetyFit fit, ScoredSet inSet, List<ScoredSet> oodSets, CalibrationNumbers c)
    {
        var ic = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        var distance = fit.Safety.FeatureDistance;
        md.AppendLine("# Safety evaluation").AppendLine();
        md.AppendLine(string.Create(ic, $"Run trained on {run.TrainFiles.Count} images; safety fitted on its {fit.Report.Samples} validation images: T = {fit.Safety.Temperature:0.000}, ")
            + string.Create(ic, $"energy limits review {fit.Safety.ReviewThreshold:0.###} / OOD {fit.Safety.OodThreshold:0.###} ({SafetyCalibrator.ReviewTpr:P0} / {SafetyCalibrator.OodTpr:P0})")
            + (distance is null ? "; no feature statistics (TorchSharp backbone)." : string.Create(ic, $", feature-distance limits review {distance.ReviewThreshold:0.##} / OOD {distance.OodThreshold:0.##} ({fit.Statistics!.Rank} components, shrinkage {fit.Shrinkage:0.###}), OOD at {distance.ThresholdTpr:P0} of validation X-rays accepted, review at {SafetyCalibrator.DistanceReviewTpr:P0}.")));
        md.AppendLine();
        md.AppendLine("| set | images | gate rejects | flagged out-of-distribution | needs review | rejected or flagged | energy AUROC | feature-distance AUROC | backbone-layer distance AUROC |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        md.AppendLine(Row(inSet, null));
        foreach (var set in oodSets)
        {
            md.AppendLine(Row(set, inSet));
        }

        var files = oodSets.Where(s => !s.Name.StartsWith("chest ", StringComparison.Ordinal)).ToList();
        if (files.Count > 0)
        {
            md.AppendLine(Row(Merge("all non-chest files", files), inSet));
        }

        md.AppendLine(Row(Merge("all out-of-distribution", oodSets), inSet));
        md.AppendLine();
        md.AppendLine(string.Create(ic, $"In-distribution false rejection (gate or out-of-distribution): {inSet.Share(i => inSet.Status[i] is SafetyStatus.Rejected or SafetyStatus.OutOfDistribution):P1}; ")
            + string.Create(ic, $"AUROCs are over images the gate let through as well as those it rejected (score of every image). ")
            + "Feature distance: pooled CAM target layer (what the package ships); backbone-layer distance: the same fit on the pooled raw backbone map, for comparison.");
        md.AppendLine().AppendLine("## Calibration (in-distribution set, 15 equal-width bins)").AppendLine();
        md.AppendLine("| measure | value |").AppendLine("|---|---|");
        md.AppendLine(string.Create(ic, $"| images, accuracy | {c.Count}, {c.Accuracy:P2} |"));
        md.AppendLine(string.Create(ic, $"| ECE before (T = 1) | {c.EceBefore:0.0000} |"));
        md.AppendLine(string.Create(ic, $"| ECE after (T = {fit.Safety.Temperature:0.000}, fitted on validation) | {c.EceAfter:0.0000} |"));
        md.AppendLine(string.Create(ic, $"| NLL before / after | {c.NllBefore:0.0000} / {c.NllAfter:0.0000} |"));
        md.AppendLine(string.Create(ic, $"| best temperature for this set itself (reference, not a valid fit) | T = {c.OracleTemperature:0.000}, ECE {c.EceOracle:0.0000} |"));
        md.AppendLine(string.Create(ic, $"| ECE of a perfectly calibrated model on {c.Count} images (sampling floor, {FloorDraws} draws) | {c.Floor:0.0000} ± {c.FloorSpread:0.0000} |"));
        md.AppendLine(string.Create(ic, $"| validation: images, ECE before → after | {fit.Report.Samples}, {fit.Report.EceBefore:0.0000} → {fit.Report.EceAfter:0.0000} |"));
        return md.ToString();
    }

    private static ScoredSet Merge(string name, List<ScoredSet> sets) => new(
        name,
        [.. sets.SelectMany(s => s.Logits)],
        [.. sets.SelectMany(s => s.Energy)],
        [.. sets.SelectMany(s => s.Distance)],
        [.. sets.SelectMany(s => s.BackboneDistance)],
        [.. sets.SelectMany(s => s.GateRejected)],
        [.. sets.SelectMany(s => s.Status)]);

    private static string Row(ScoredSet set, ScoredSet? reference)
    {
        var ic = CultureInfo.InvariantCulture;
        string Auroc(double[] inScores, double[] outScores) =>
            inScores.Any(double.IsNaN) || outScores.Any(double.IsNaN) ? "n/a" : OodThreshold.Auroc(inScores, outScores).ToString("0.000", ic);
        return string.Create(ic,
            $"| {set.Name} | {set.Count} | {set.Share(i => set.GateRejected[i]):P1} | {set.Share(i => set.Status[i] == SafetyStatus.OutOfDistribution):P1} | ") +
            string.Create(ic, $"{set.Share(i => set.Status[i] == SafetyStatus.NeedsReview):P1} | {set.Share(i => set.Status[i] is SafetyStatus.Rejected or SafetyStatus.OutOfDistribution):P1} | ") +
            (reference is null ? "— | — | — |" : $"{Auroc(reference.Energy, set.Energy)} | {Auroc(reference.Distance, set.Distance)} | {Auroc(reference.BackboneDistance, set.BackboneDistance)} |");
    }

    private static GrayImage Rotate90(GrayImage image)
    {
        var pixels = new float[image.Pixels.Length];
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                // Clockwise: source (x, y) goes to (H-1-y, x) in a W'=H, H'=W image.
                pixels[(x * image.Height) + (image.Height - 1 - y)] = image.Pixels[(y * image.Width) + x];
            }
        }

        return new GrayImage(image.Height, image.Width, pixels);
    }

    private static GrayImage Invert(GrayImage image) => new(image.Width, image.Height, [.. image.Pixels.Select(p => 255f - p)]);
}
