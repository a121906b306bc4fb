using System.Text.Json;
using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Training.Data;
using EdgeAgent.Training.Evaluation;
using EdgeAgent.Training.Training;

namespace EdgeAgent.Training.Tests;

/// <summary>`edge-train train --folds 3` on a few phantoms: every fold trained and reported, then the per-class mean ± sd.</summary>
[Collection(TorchSharpGlobalStateCollection.Name)]
public sealed class CrossValidationTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("edge-train-kfold").FullName;

    [Fact]
    public void Three_folds_train_hold_out_every_image_once_and_report_mean_and_sd_per_class()
    {
        const int PerClass = 24;
        var data = Path.Combine(root, "data");
        SyntheticDatasetWriter.WriteChests(data, new SyntheticDatasetOptions { CountPerClass = PerClass, Seed = 31, Size = 224 });
        var runDirectory = Path.Combine(root, "run");
        var log = new StringWriter();
        new TrainingPipeline(log).Train(new TrainRequest
        {
            DataDirectory = data,
            RunDirectory = runDirectory,
            Backbone = BackboneSpec.Parse("resnet18", null, null, null, null),
            Head = EndToEndTrainingTests.E2eHead,
            Training = new TrainingOptions { Epochs = 30, BatchSize = 8, Optimizer = "adam", LearningRate = 2e-3, Patience = 0 },
            Augmentation = new AugmentationOptions { CopiesPerImage = 0 },
            ValidationFraction = 0.2,
            TestFraction = 0.2,
            Folds = 3,
            CacheDirectory = Path.Combine(root, "cache"),
        });

        var report = JsonSerializer.Deserialize<EvaluationReport>(File.ReadAllText(Path.Combine(runDirectory, "metrics.json")), ReportWriter.Json)!;
        var folds = Assert.IsAssignableFrom<IReadOnlyList<ClassificationMetrics>>(report.Folds);
        Assert.Equal(3, folds.Count);
        // The folds partition the data: each image is held out exactly once, 8 per class per fold.
        Assert.Equal(3 * PerClass, folds.Sum(f => f.Count));
        Assert.All(folds, f => Assert.All(f.PerClass, c => Assert.Equal(PerClass / 3, c.Support)));
        // 48 training phantoms per fold on ImageNet features: far from chance (1/3) though not perfect.
        var meanAccuracy = folds.Average(f => f.Accuracy);
        Assert.True(meanAccuracy > 0.6, $"mean fold accuracy {meanAccuracy:P1}\n{log}");

        var markdown = File.ReadAllText(Path.Combine(runDirectory, "metrics.md"));
        Assert.Contains("Per class over 3 folds (mean ± sd):", markdown, StringComparison.Ordinal);
        var pneumoniaRecalls = folds.Select(f => f.PerClass.Single(c => c.Label == "pneumonia").Recall).ToList();
        Assert.Contains($"| pneumonia | {ReportWriter.MeanSd(folds.Select(f => f.PerClass[1].Precision))} | {ReportWriter.MeanSd(pneumoniaRecalls)} |", markdown, StringComparison.Ordinal);
        Assert.Contains("fold 3/3", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Mean_and_sample_sd_of_fold_values()
    {
        // 0.9, 1.0, 0.8: mean 0.9, sample variance (0 + 0.01 + 0.01) / 2 = 0.01.
        Assert.Equal("0.9000 ± 0.1000", ReportWriter.MeanSd([0.9, 1.0, 0.8]));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
