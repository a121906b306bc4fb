using EdgeAgent.Training.Data;

namespace EdgeAgent.Training.Tests;

public sealed class StratifiedSplitterTests
{
    [Fact]
    public void Split_keeps_every_source_on_one_side_and_each_class_in_every_part()
    {
        // 3 classes x 20 sources x 3 images (an original and two augmented copies sharing a source id).
        var samples = Samples(sourcesPerClass: 20, imagesPerSource: 3);
        var split = StratifiedSplitter.Split(samples, 0.2, 0.2, seed: 5);

        var sides = new[] { split.Train, split.Validation, split.Test };
        Assert.Equal(samples.Count, sides.Sum(s => s.Count));
        var sourceSides = samples.Select(s => s.SourceId).Distinct()
            .Select(id => sides.Count(side => side.Any(s => s.SourceId == id)));
        Assert.All(sourceSides, count => Assert.Equal(1, count));
        foreach (var side in sides)
        {
            Assert.All(Enumerable.Range(0, 3), label => Assert.Contains(side, s => s.Label == label));
        }

        // 20 sources per class: round(20 * 0.2) = 4 sources each for test and validation, per class.
        Assert.Equal(3 * 4 * 3, split.Test.Count);
        Assert.Equal(3 * 4 * 3, split.Validation.Count);
    }

    [Fact]
    public void Split_is_reproducible_for_a_seed_and_differs_between_seeds()
    {
        var samples = Samples(20, 1);
        var a = StratifiedSplitter.Split(samples, 0.2, 0.2, 1).Test.Select(s => s.RelativePath);
        var b = StratifiedSplitter.Split(samples, 0.2, 0.2, 1).Test.Select(s => s.RelativePath);
        var c = StratifiedSplitter.Split(samples, 0.2, 0.2, 2).Test.Select(s => s.RelativePath);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Order(), c.Order());
    }

    [Fact]
    public void Folds_partition_the_sources_and_stay_stratified()
    {
        var samples = Samples(10, 2);
        var folds = StratifiedSplitter.Folds(samples, 5, seed: 3);
        Assert.Equal(samples.Count, folds.Sum(f => f.Count));
        Assert.Equal(samples.Select(s => s.RelativePath).Order(), folds.SelectMany(f => f).Select(s => s.RelativePath).Order());
        foreach (var fold in folds)
        {
            // 10 sources per class over 5 folds: exactly 2 sources (4 images) of each class per fold.
            Assert.All(Enumerable.Range(0, 3), label => Assert.Equal(4, fold.Count(s => s.Label == label)));
            var ids = fold.Select(s => s.SourceId).ToHashSet();
            Assert.All(folds.Where(f => f != fold), other => Assert.DoesNotContain(other, s => ids.Contains(s.SourceId)));
        }
    }

    [Fact]
    public void Too_few_images_for_the_split_names_the_class()
    {
        var samples = Samples(20, 1).Where(s => s.Label != 1 || s.SourceId.EndsWith("-0", StringComparison.Ordinal) || s.SourceId.EndsWith("-1", StringComparison.Ordinal)).ToList();
        var error = Assert.Throws<InvalidOperationException>(() => StratifiedSplitter.Split(samples, 0.2, 0.2, 1));
        Assert.Contains("pneumonia", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dataset_reads_source_ids_from_labels_csv_and_masks_next_to_images()
    {
        var root = Directory.CreateTempSubdirectory("edge-train-ds").FullName;
        try
        {
            foreach (var label in ClassOrder.Labels)
            {
                Directory.CreateDirectory(Path.Combine(root, label));
                for (var i = 0; i < 2; i++)
                {
                    File.WriteAllBytes(Path.Combine(root, label, $"{label}-{i}.png"), [0]);
                }
            }

            File.WriteAllBytes(Path.Combine(root, "covid", "covid-0.mask.png"), [0]);
            File.WriteAllText(Path.Combine(root, "labels.csv"), "file,label,source\ncovid/covid-0.png,covid,p1\ncovid/covid-1.png,covid,p1\n");
            var dataset = ImageFolderDataset.Load(root);

            Assert.Equal(6, dataset.Samples.Count);
            Assert.All(dataset.Samples.Where(s => s.Label == 0), s => Assert.Equal("p1", s.SourceId));
            Assert.Equal("normal/normal-0.png", dataset.Samples.Single(s => s.RelativePath == "normal/normal-0.png").SourceId);
            Assert.NotNull(dataset.Samples.Single(s => s.RelativePath == "covid/covid-0.png").MaskPath);
            Assert.DoesNotContain(dataset.Samples, s => s.RelativePath.Contains(".mask.", StringComparison.Ordinal));

            Directory.Delete(Path.Combine(root, "pneumonia"), recursive: true);
            var error = Assert.Throws<InvalidOperationException>(() => ImageFolderDataset.Load(root));
            Assert.Contains("pneumonia", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static List<ImageSample> Samples(int sourcesPerClass, int imagesPerSource) =>
        (from label in Enumerable.Range(0, 3)
         from source in Enumerable.Range(0, sourcesPerClass)
         from copy in Enumerable.Range(0, imagesPerSource)
         let id = $"{ClassOrder.Labels[label]}-{source}"
         select new ImageSample($"{ClassOrder.Labels[label]}/{id}-{copy}.png", $"/x/{id}-{copy}.png", label, id, null)).ToList();
}
