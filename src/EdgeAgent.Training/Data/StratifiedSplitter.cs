namespace EdgeAgent.Training.Data;

/// <summary>
/// Seeded, stratified splits that keep every source id on one side. Groups (all images of one
/// source) are dealt per class, so each class keeps its proportion in every part.
/// </summary>
public static class StratifiedSplitter
{
    public static DatasetSplit Split(IReadOnlyList<ImageSample> samples, double validationFraction, double testFraction, int seed)
    {
        if (validationFraction < 0 || testFraction < 0 || validationFraction + testFraction >= 1)
        {
            throw new ArgumentException($"Validation ({validationFraction}) and test ({testFraction}) fractions must be >= 0 and sum below 1.");
        }

        var train = new List<ImageSample>();
        var validation = new List<ImageSample>();
        var test = new List<ImageSample>();
        foreach (var (label, groups) in GroupsByClass(samples, seed))
        {
            var nTest = testFraction > 0 ? Math.Max(1, (int)Math.Round(groups.Count * testFraction)) : 0;
            var nValidation = validationFraction > 0 ? Math.Max(1, (int)Math.Round(groups.Count * validationFraction)) : 0;
            if (groups.Count < nTest + nValidation + 1)
            {
                throw new InvalidOperationException(
                    $"Class '{ClassOrder.Labels[label]}' has {groups.Count} source image(s); the split needs at least {nTest + nValidation + 1} " +
                    "(one each for test and validation and one for training). Add images or lower --val/--test.");
            }

            test.AddRange(groups.Take(nTest).SelectMany(g => g));
            validation.AddRange(groups.Skip(nTest).Take(nValidation).SelectMany(g => g));
            train.AddRange(groups.Skip(nTest + nValidation).SelectMany(g => g));
        }

        return new DatasetSplit(train, validation, test);
    }

    /// <summary>Stratified, grouped k folds: fold i is the test part of split i.</summary>
    public static IReadOnlyList<IReadOnlyList<ImageSample>> Folds(IReadOnlyList<ImageSample> samples, int k, int seed)
    {
        if (k < 2)
        {
            throw new ArgumentException($"k-fold needs k >= 2, got {k}.", nameof(k));
        }

        var folds = Enumerable.Range(0, k).Select(_ => new List<ImageSample>()).ToList();
        var offset = 0;
        foreach (var (label, groups) in GroupsByClass(samples, seed))
        {
            if (groups.Count < k)
            {
                throw new InvalidOperationException($"Class '{ClassOrder.Labels[label]}' has {groups.Count} source image(s), fewer than k = {k} folds.");
            }

            // Round-robin from a rotating start so fold sizes stay within one group across classes.
            for (var i = 0; i < groups.Count; i++)
            {
                folds[(i + offset) % k].AddRange(groups[i]);
            }

            offset += groups.Count;
        }

        return folds;
    }

    private static IEnumerable<(int Label, List<List<ImageSample>> Groups)> GroupsByClass(IReadOnlyList<ImageSample> samples, int seed)
    {
        var mixed = samples.GroupBy(s => s.SourceId).Where(g => g.Select(s => s.Label).Distinct().Count() > 1).Select(g => g.Key).FirstOrDefault();
        if (mixed is not null)
        {
            throw new InvalidOperationException($"Source id '{mixed}' has images in more than one class; a source must have one label.");
        }

        var random = new Random(seed);
        for (var label = 0; label < ClassOrder.Count; label++)
        {
            var groups = samples.Where(s => s.Label == label)
                .GroupBy(s => s.SourceId, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.OrderBy(s => s.RelativePath, StringComparer.Ordinal).ToList())
                .ToList();
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(groups));
            yield return (label, groups);
        }
    }
}
