using System.Diagnostics;
using System.Text.Json;
using EdgeAgent.Training.Data;
using EdgeAgent.Training.Evaluation;
using TorchSharp;
using CamPointingGame = EdgeAgent.Onnx.GradCam.PointingGame;

namespace EdgeAgent.Training.Training;

/// <summary>
/// `edge-train train` and `edge-train evaluate`: split, make inputs (features once for a frozen
/// backbone), train, and evaluate as the paper reports (plus the Grad-CAM pointing game).
/// Writes RUN/run.json, RUN/model.dat, RUN/metrics.json|md and PNG plots.
/// </summary>
public sealed class TrainingPipeline
{
    private readonly TextWriter output;

    public TrainingPipeline(TextWriter output) => this.output = output;

    public RunDescriptor Train(TrainRequest request)
    {
        request.Head.Validate();
        request.Training.Validate();
        var clock = Stopwatch.StartNew();
        var dataset = ImageFolderDataset.Load(request.DataDirectory);
        output.WriteLine($"Dataset {dataset.Root}: " + string.Join(", ", ClassOrder.Labels.Select((l, i) => $"{l} {dataset.CountOf(i)}")) + $" (class order {string.Join(", ", ClassOrder.Labels)}).");
        var split = StratifiedSplitter.Split(dataset.Samples, request.ValidationFraction, request.TestFraction, request.Training.Seed);
        output.WriteLine($"Split (seed {request.Training.Seed}, grouped by source id): train {split.Train.Count}, validation {split.Validation.Count}, test {split.Test.Count}.");
        Directory.CreateDirectory(request.RunDirectory);
        // One intra-op thread: the head is small, and OpenMP workers spinning on a shared, busy CPU cost more than they gain.
        torch.set_num_threads(1);

        using var model = RunModel.Create(request.Backbone, request.Head, request.Training.Seed);
        model.CacheDirectory = request.CacheDirectory;
        var train = model.MakeInputs(split.Train, request.Augmentation.CopiesPerImage > 0 ? request.Augmentation : null, request.Training.Seed, output, "inputs (train)");
        var validation = model.MakeInputs(split.Validation, null, request.Training.Seed, output, "inputs (val)  ");
        var test = model.MakeInputs(split.Test, null, request.Training.Seed, output, "inputs (test) ");
        output.WriteLine($"Inputs ready after {clock.Elapsed.TotalSeconds:F0} s ({train.Count} training inputs incl. {request.Augmentation.CopiesPerImage} augmented copies per image).");

        List<ClassificationMetrics>? folds = null;
        if (request.Folds > 1)
        {
            folds = CrossValidate(request, dataset);
        }

        FitStandardization(model, train);
        var trainer = new HeadTrainer(request.Training, output);
        var history = trainer.Train(model.Module, model.InputShape, train, validation, Path.Combine(request.RunDirectory, "checkpoints"));
        model.Module.save(Path.Combine(request.RunDirectory, RunDescriptor.WeightsFileName));
        var seconds = clock.Elapsed.TotalSeconds;
        var run = new RunDescriptor
        {
            Labels = ClassOrder.Labels,
            Backbone = request.Backbone,
            Head = request.Head,
            Training = request.Training,
            Augmentation = request.Augmentation,
            DataDirectory = Path.GetFullPath(request.DataDirectory),
            ValidationFraction = request.ValidationFraction,
            TestFraction = request.TestFraction,
            TrainFiles = split.Train.Select(s => s.RelativePath).ToList(),
            ValidationFiles = split.Validation.Select(s => s.RelativePath).ToList(),
            TestFiles = split.Test.Select(s => s.RelativePath).ToList(),
            FeatureShape = model.FeatureShape,
            History = history,
            TrainingSeconds = seconds,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        File.WriteAllText(Path.Combine(request.RunDirectory, RunDescriptor.FileName), JsonSerializer.Serialize(run, ReportWriter.Json));
        var report = Evaluate(model, run, dataset, split.Test, test, folds);
        ReportWriter.Write(request.RunDirectory, report, history);
        PlotWriter.WriteAll(request.RunDirectory, report.Test, history);
        output.WriteLine($"Test accuracy {report.Test.Accuracy:P2}, macro F1 {report.Test.MacroF1:F4}; " +
            string.Join(", ", report.PointingGame.Select(p => $"pointing game {p.Label} {p.HitRate:P1}")) + $"; {seconds:F0} s in total.");
        return run;
    }

    /// <summary>Evaluates a finished run on its own test split, or on every image of another dataset.</summary>
    /// <param name="oodDirectory">Out-of-distribution images (e.g. `edge-agent synth DIR --not-chest`): adds the safety evaluation (safety.md).</param>
    public EvaluationReport Evaluate(string runDirectory, string? dataDirectory, string? oodDirectory = null)
    {
        var run = ReadRun(runDirectory);
        using var model = RunModel.Load(runDirectory, run);
        var dataset = ImageFolderDataset.Load(dataDirectory ?? run.DataDirectory);
        IReadOnlyList<ImageSample> samples;
        if (dataDirectory is null)
        {
            var wanted = run.TestFiles.ToHashSet(StringComparer.Ordinal);
            samples = dataset.Samples.Where(s => wanted.Contains(s.RelativePath)).ToList();
            if (samples.Count != wanted.Count)
            {
                throw new InvalidOperationException($"The run's test split has {wanted.Count} files but only {samples.Count} are still in {dataset.Root}.");
            }
        }
        else
        {
            samples = dataset.Samples;
        }

        var inputs = model.MakeInputs(samples, null, run.Training.Seed, output, "inputs (eval)");
        var report = Evaluate(model, run, dataset, samples, inputs, null);
        var outDirectory = dataDirectory is null ? runDirectory : Path.Combine(runDirectory, "evaluation-" + Path.GetFileName(Path.GetFullPath(dataDirectory).TrimEnd('/')));
        ReportWriter.Write(outDirectory, report, run.History);
        PlotWriter.WriteAll(outDirectory, report.Test, run.History);
        output.WriteLine($"Accuracy {report.Test.Accuracy:P2} on {report.Test.Count} images; reports in {outDirectory}.");
        if (oodDirectory is not null)
        {
            new Calibration.SafetyEvaluator(output).Evaluate(model, run, samples, inputs, oodDirectory, outDirectory);
        }

        return report;
    }

    public static RunDescriptor ReadRun(string runDirectory)
    {
        var path = Path.Combine(runDirectory, RunDescriptor.FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{runDirectory}' is not a training run ({RunDescriptor.FileName} missing); run `edge-train train` first.", path);
        }

        var run = JsonSerializer.Deserialize<RunDescriptor>(File.ReadAllText(path), ReportWriter.Json)
            ?? throw new InvalidDataException($"{path} is empty.");
        ClassOrder.Check(run.Labels, path);
        return run;
    }

    private EvaluationReport Evaluate(RunModel model, RunDescriptor run, ImageFolderDataset dataset, IReadOnlyList<ImageSample> samples, FeatureSet inputs, List<ClassificationMetrics>? folds)
    {
        var probabilities = model.Predict(inputs);
        var metrics = ClassificationMetrics.Compute(ClassOrder.Labels, inputs.Labels, probabilities);
        return new EvaluationReport
        {
            Labels = ClassOrder.Labels,
            Dataset = dataset.Root,
            Test = metrics,
            PointingGame = PointingGame(model, samples, inputs),
            Folds = folds,
            TrainingSeconds = run.TrainingSeconds,
        };
    }

    /// <summary>Pointing game on the covid and pneumonia images that have a lesion mask.</summary>
    private static List<PointingGameResult> PointingGame(RunModel model, IReadOnlyList<ImageSample> samples, FeatureSet inputs)
    {
        var size = model.InputSize;
        var (c, h, w) = (model.FeatureShape[0], model.FeatureShape[1], model.FeatureShape[2]);
        var dilation = CamPointingGame.Dilation(size, w); // half a CAM cell in input pixels
        var results = new List<PointingGameResult>();
        foreach (var label in new[] { "covid", "pneumonia" })
        {
            var index = ClassOrder.IndexOf(label);
            int hits = 0, total = 0;
            for (var i = 0; i < samples.Count; i++)
            {
                if (samples[i].Label != index || InputMaker.LoadMask(samples[i], size) is not { } mask || !mask.Contains(true))
                {
                    continue;
                }

                var features = model.Frozen is not null ? inputs.Inputs[i] : BackboneFeatures(model, inputs.Inputs[i]);
                var cam = GradCamPointingGame.Cam(model.Head, features, c, h, w, index);
                total++;
                if (CamPointingGame.Hit(CamPointingGame.Upsample(cam, h, w, size, size), mask, size, size, dilation))
                {
                    hits++;
                }
            }

            if (total > 0)
            {
                results.Add(new PointingGameResult(label, hits, total, dilation));
            }
        }

        return results;
    }

    /// <summary>Fits the head's feature standardisation on the frozen training features (originals and copies).</summary>
    private static void FitStandardization(RunModel model, FeatureSet train)
    {
        if (model.Frozen is null || !model.Head.Options.Standardize)
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        var (features, _) = HeadTrainer.Batch(train, Enumerable.Range(0, train.Count).ToArray(), model.InputShape, torch.CPU);
        model.Head.FitStandardization(features);
    }

    private static float[] BackboneFeatures(RunModel model, float[] image)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var backbone = ((Models.CnnRnnModel)model.Module).Backbone;
        backbone.eval();
        var x = torch.tensor(image, [1, 3, model.InputSize, model.InputSize]);
        return backbone.forward(x).data<float>().ToArray();
    }

    /// <summary>Stratified, grouped k-fold: a fresh model per fold, fixed epochs (no early stopping on the held-out fold).</summary>
    private List<ClassificationMetrics> CrossValidate(TrainRequest request, ImageFolderDataset dataset)
    {
        var foldSamples = StratifiedSplitter.Folds(dataset.Samples, request.Folds, request.Training.Seed);
        var results = new List<ClassificationMetrics>();
        for (var k = 0; k < foldSamples.Count; k++)
        {
            var held = foldSamples[k].Select(s => s.RelativePath).ToHashSet(StringComparer.Ordinal);
            var trainSamples = dataset.Samples.Where(s => !held.Contains(s.RelativePath)).ToList();
            using var model = RunModel.Create(request.Backbone, request.Head, request.Training.Seed + k);
            model.CacheDirectory = request.CacheDirectory;
            var train = model.MakeInputs(trainSamples, request.Augmentation.CopiesPerImage > 0 ? request.Augmentation : null, request.Training.Seed, null, "");
            var test = model.MakeInputs(foldSamples[k], null, request.Training.Seed, null, "");
            FitStandardization(model, train);
            var trainer = new HeadTrainer(request.Training with { Patience = 0 }, TextWriter.Null);
            trainer.Train(model.Module, model.InputShape, train, new FeatureSet([], []), null);
            var metrics = ClassificationMetrics.Compute(ClassOrder.Labels, test.Labels, model.Predict(test));
            output.WriteLine($"fold {k + 1}/{foldSamples.Count}: {trainSamples.Count} training images, {foldSamples[k].Count} held out: accuracy {metrics.Accuracy:P2}, macro F1 {metrics.MacroF1:F4}, " +
                string.Join(", ", metrics.PerClass.Select(c => $"recall {c.Label} {c.Recall:P1}")));
            results.Add(metrics);
        }

        output.Write(ReportWriter.FoldClassTable(results));
        return results;
    }
}
