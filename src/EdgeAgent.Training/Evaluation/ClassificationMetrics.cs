namespace EdgeAgent.Training.Evaluation;

/// <summary>The paper's evaluation: accuracy, per-class precision/recall/F1, macro averages, one-vs-rest ROC AUC, confusion matrix.</summary>
public sealed record ClassificationMetrics
{
    public required IReadOnlyList<string> Labels { get; init; }
    public required int Count { get; init; }
    public required double Accuracy { get; init; }
    public required IReadOnlyList<ClassMetrics> PerClass { get; init; }
    public required double MacroPrecision { get; init; }
    public required double MacroRecall { get; init; }
    public required double MacroF1 { get; init; }
    public required double MacroRocAuc { get; init; }
    /// <summary>Rows: true class; columns: predicted class (both in <see cref="Labels"/> order).</summary>
    public required IReadOnlyList<IReadOnlyList<int>> ConfusionMatrix { get; init; }
    public required IReadOnlyList<RocCurve> Roc { get; init; }

    public static ClassificationMetrics Compute(IReadOnlyList<string> labels, IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities)
    {
        if (truth.Count == 0 || truth.Count != probabilities.Count)
        {
            throw new ArgumentException($"Need one probability row per label ({truth.Count} labels, {probabilities.Count} rows), at least one.");
        }

        var k = labels.Count;
        var confusion = new int[k, k];
        for (var i = 0; i < truth.Count; i++)
        {
            confusion[truth[i], ArgMax(probabilities[i])]++;
        }

        var perClass = new List<ClassMetrics>();
        var curves = new List<RocCurve>();
        for (var c = 0; c < k; c++)
        {
            var tp = confusion[c, c];
            var predicted = Enumerable.Range(0, k).Sum(r => confusion[r, c]);
            var actual = Enumerable.Range(0, k).Sum(p => confusion[c, p]);
            var precision = predicted == 0 ? 0 : (double)tp / predicted;
            var recall = actual == 0 ? 0 : (double)tp / actual;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            var curve = RocOneVsRest(labels[c], truth.Select(t => t == c).ToArray(), probabilities.Select(p => (double)p[c]).ToArray());
            curves.Add(curve);
            perClass.Add(new ClassMetrics(labels[c], precision, recall, f1, actual, curve.Auc));
        }

        var correct = Enumerable.Range(0, k).Sum(c => confusion[c, c]);
        var aucs = perClass.Where(m => !double.IsNaN(m.RocAuc)).Select(m => m.RocAuc).ToList();
        return new ClassificationMetrics
        {
            Labels = labels,
            Count = truth.Count,
            Accuracy = (double)correct / truth.Count,
            PerClass = perClass,
            MacroPrecision = perClass.Average(m => m.Precision),
            MacroRecall = perClass.Average(m => m.Recall),
            MacroF1 = perClass.Average(m => m.F1),
            MacroRocAuc = aucs.Count == 0 ? double.NaN : aucs.Average(),
            ConfusionMatrix = Enumerable.Range(0, k).Select(r => (IReadOnlyList<int>)Enumerable.Range(0, k).Select(p => confusion[r, p]).ToList()).ToList(),
            Roc = curves,
        };
    }

    public static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>ROC curve with tied scores taken as one threshold step; AUC by the trapezoid rule (NaN when a side is empty).</summary>
    public static RocCurve RocOneVsRest(string label, bool[] positive, double[] score)
    {
        var positives = positive.Count(p => p);
        var negatives = positive.Length - positives;
        var order = Enumerable.Range(0, score.Length).OrderByDescending(i => score[i]).ToArray();
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        int tp = 0, fp = 0;
        for (var i = 0; i < order.Length; i++)
        {
            if (positive[order[i]])
            {
                tp++;
            }
            else
            {
                fp++;
            }

            if (i == order.Length - 1 || score[order[i + 1]] != score[order[i]])
            {
                fpr.Add(negatives == 0 ? 0 : (double)fp / negatives);
                tpr.Add(positives == 0 ? 0 : (double)tp / positives);
            }
        }

        double auc = 0;
        for (var i = 1; i < fpr.Count; i++)
        {
            auc += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2;
        }

        return new RocCurve(label, fpr, tpr, positives == 0 || negatives == 0 ? double.NaN : auc);
    }
}
