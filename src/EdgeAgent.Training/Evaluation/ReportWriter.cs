using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeAgent.Training.Training;

namespace EdgeAgent.Training.Evaluation;

/// <summary>Writes metrics.json and metrics.md (tables as the paper reports them).</summary>
public static class ReportWriter
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(string directory, EvaluationReport report, IReadOnlyList<EpochRecord> history)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "metrics.json"), JsonSerializer.Serialize(report, Json));
        File.WriteAllText(Path.Combine(directory, "metrics.md"), Markdown(report, history));
    }

    public static string Markdown(EvaluationReport report, IReadOnlyList<EpochRecord> history)
    {
        var m = report.Test;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Evaluation on {report.Dataset}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Class order: {string.Join(", ", report.Labels)}. Test images: {m.Count}. Accuracy: **{m.Accuracy:P2}**.");
        md.AppendLine();
        md.AppendLine("| class | precision | recall | F1 | ROC AUC | support |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var c in m.PerClass)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c.Label} | {c.Precision:F4} | {c.Recall:F4} | {c.F1:F4} | {c.RocAuc:F4} | {c.Support} |");
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"| macro | {m.MacroPrecision:F4} | {m.MacroRecall:F4} | {m.MacroF1:F4} | {m.MacroRocAuc:F4} | {m.Count} |");
        md.AppendLine();
        md.AppendLine("Confusion matrix (rows: true, columns: predicted):");
        md.AppendLine();
        md.AppendLine("| true \\ predicted | " + string.Join(" | ", report.Labels) + " |");
        md.AppendLine("|---|" + string.Concat(report.Labels.Select(_ => "---|")));
        for (var r = 0; r < report.Labels.Count; r++)
        {
            md.AppendLine($"| {report.Labels[r]} | " + string.Join(" | ", m.ConfusionMatrix[r]) + " |");
        }

        if (report.PointingGame.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Grad-CAM pointing game (CAM maximum inside the lesion mask dilated by half a CAM cell):");
            md.AppendLine();
            md.AppendLine("| class | hits | images | hit rate |");
            md.AppendLine("|---|---|---|---|");
            foreach (var p in report.PointingGame)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {p.Label} | {p.Hits} | {p.Total} | {p.HitRate:P1} |");
            }
        }

        if (report.Folds is { Count: > 0 } folds)
        {
            md.AppendLine();
            md.AppendLine("k-fold cross-validation:");
            md.AppendLine();
            md.AppendLine("| fold | accuracy | macro precision | macro recall | macro F1 | macro AUC |");
            md.AppendLine("|---|---|---|---|---|---|");
            for (var i = 0; i < folds.Count; i++)
            {
                var f = folds[i];
                md.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {f.Accuracy:F4} | {f.MacroPrecision:F4} | {f.MacroRecall:F4} | {f.MacroF1:F4} | {f.MacroRocAuc:F4} |");
            }

            md.AppendLine(CultureInfo.InvariantCulture,
                $"| mean ± sd | {MeanSd(folds.Select(f => f.Accuracy))} | {MeanSd(folds.Select(f => f.MacroPrecision))} | {MeanSd(folds.Select(f => f.MacroRecall))} | {MeanSd(folds.Select(f => f.MacroF1))} | {MeanSd(folds.Select(f => f.MacroRocAuc))} |");
            md.AppendLine();
            md.Append(FoldClassTable(folds));
        }

        if (history.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Training: {history.Count} epochs, {report.TrainingSeconds:F0} s in total (feature extraction included).");
        }

        return md.ToString();
    }

    /// <summary>
    /// Per class, mean ± sd over the folds of precision, recall (the class's accuracy), F1 and ROC AUC,
    /// as the paper reports its 5-fold results. Folds are matched by label, never by position.
    /// </summary>
    public static string FoldClassTable(IReadOnlyList<ClassificationMetrics> folds)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Per class over {folds.Count} folds (mean ± sd):");
        md.AppendLine();
        md.AppendLine("| class | precision | recall | F1 | ROC AUC |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var label in folds[0].PerClass.Select(c => c.Label))
        {
            var perFold = folds.Select(f => f.PerClass.Single(c => c.Label == label)).ToList();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {MeanSd(perFold.Select(c => c.Precision))} | {MeanSd(perFold.Select(c => c.Recall))} | {MeanSd(perFold.Select(c => c.F1))} | {MeanSd(perFold.Select(c => c.RocAuc))} |");
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"| accuracy | | {MeanSd(folds.Select(f => f.Accuracy))} | | |");
        return md.ToString();
    }

    /// <summary>Mean ± sample standard deviation.</summary>
    public static string MeanSd(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        var sd = list.Count > 1 ? Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)) : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F4} ± {sd:F4}");
    }
}
