using EdgeAgent.Training.Training;
using SkiaSharp;

namespace EdgeAgent.Training.Evaluation;

/// <summary>PNG plots drawn with SkiaSharp: ROC curves, confusion matrix, training curves.</summary>
public static class PlotWriter
{
    private const int Size = 480;
    private const int Margin = 50;
    private static readonly SKColor[] Palette = [new(0xD6, 0x27, 0x28), new(0x1F, 0x77, 0xB4), new(0x2C, 0xA0, 0x2C), new(0x94, 0x67, 0xBD)];

    public static void WriteAll(string directory, ClassificationMetrics metrics, IReadOnlyList<EpochRecord> history)
    {
        Directory.CreateDirectory(directory);
        Save(Path.Combine(directory, "roc.png"), canvas => Roc(canvas, metrics));
        Save(Path.Combine(directory, "confusion.png"), canvas => Confusion(canvas, metrics));
        if (history.Count > 0)
        {
            Save(Path.Combine(directory, "training.png"), canvas => Curves(canvas, history));
        }
    }

    private static void Roc(SKCanvas canvas, ClassificationMetrics metrics)
    {
        Axes(canvas, "false positive rate", "true positive rate", "ROC (one vs rest)");
        using var diagonal = Stroke(SKColors.Gray, 1);
        canvas.DrawLine(X(0), Y(0), X(1), Y(1), diagonal);
        for (var c = 0; c < metrics.Roc.Count; c++)
        {
            var curve = metrics.Roc[c];
            using var paint = Stroke(Palette[c % Palette.Length], 2);
            Polyline(canvas, curve.FalsePositiveRate.Select((f, i) => new SKPoint(X(f), Y(curve.TruePositiveRate[i]))).ToList(), paint);
            Text(canvas, $"{curve.Label} AUC {curve.Auc:F3}", X(0.45), Y(0.1 + (0.07 * c)), Palette[c % Palette.Length]);
        }
    }

    private static void Confusion(SKCanvas canvas, ClassificationMetrics metrics)
    {
        var k = metrics.Labels.Count;
        var cell = (Size - (2 * Margin)) / (float)k;
        Text(canvas, "confusion matrix (rows true, columns predicted)", Margin, Margin - 20, SKColors.Black);
        for (var r = 0; r < k; r++)
        {
            var rowTotal = Math.Max(1, metrics.ConfusionMatrix[r].Sum());
            for (var p = 0; p < k; p++)
            {
                var share = metrics.ConfusionMatrix[r][p] / (float)rowTotal;
                using var fill = new SKPaint { Color = new SKColor((byte)(255 - (200 * share)), (byte)(255 - (120 * share)), 255), Style = SKPaintStyle.Fill };
                var rect = SKRect.Create(Margin + (p * cell), Margin + (r * cell), cell, cell);
                canvas.DrawRect(rect, fill);
                Text(canvas, metrics.ConfusionMatrix[r][p].ToString(System.Globalization.CultureInfo.InvariantCulture), rect.MidX - 10, rect.MidY, SKColors.Black);
            }

            Text(canvas, metrics.Labels[r], 2, Margin + ((r + 0.5f) * cell), SKColors.Black);
            Text(canvas, metrics.Labels[r], Margin + (r * cell) + 5, Size - Margin + 20, SKColors.Black);
        }
    }

    private static void Curves(SKCanvas canvas, IReadOnlyList<EpochRecord> history)
    {
        Axes(canvas, "epoch", "accuracy / loss (scaled to the largest loss)", "training curves");
        var maxLoss = history.Max(h => Math.Max(h.TrainLoss, double.IsNaN(h.ValidationLoss) ? 0 : h.ValidationLoss));
        var series = new (string Name, Func<EpochRecord, double> Value)[]
        {
            ("train acc", h => h.TrainAccuracy), ("val acc", h => h.ValidationAccuracy),
            ("train loss", h => h.TrainLoss / maxLoss), ("val loss", h => h.ValidationLoss / maxLoss),
        };
        for (var s = 0; s < series.Length; s++)
        {
            using var paint = Stroke(Palette[s % Palette.Length], 2);
            var value = series[s].Value;
            Polyline(canvas, history.Select((h, i) => new SKPoint(X(history.Count == 1 ? 0.5 : (double)i / (history.Count - 1)), Y(Math.Clamp(double.IsNaN(value(h)) ? 0 : value(h), 0, 1)))).ToList(), paint);
            Text(canvas, series[s].Name, X(0.65), Y(0.5 - (0.07 * s)), Palette[s % Palette.Length]);
        }
    }

    private static void Axes(SKCanvas canvas, string xLabel, string yLabel, string title)
    {
        using var axis = Stroke(SKColors.Black, 1);
        canvas.DrawRect(SKRect.Create(Margin, Margin, Size - (2 * Margin), Size - (2 * Margin)), axis);
        Text(canvas, title, Margin, Margin - 20, SKColors.Black);
        Text(canvas, xLabel, Size / 2f - 40, Size - 15, SKColors.Black);
        Text(canvas, yLabel, 5, Margin - 5, SKColors.Black);
    }

    private static void Polyline(SKCanvas canvas, IReadOnlyList<SKPoint> points, SKPaint paint)
    {
        for (var i = 1; i < points.Count; i++)
        {
            canvas.DrawLine(points[i - 1], points[i], paint);
        }
    }

    private static float X(double v) => Margin + (float)(v * (Size - (2 * Margin)));

    private static float Y(double v) => Size - Margin - (float)(v * (Size - (2 * Margin)));

    private static SKPaint Stroke(SKColor color, float width) => new() { Color = color, StrokeWidth = width, Style = SKPaintStyle.Stroke, IsAntialias = true };

    private static void Text(SKCanvas canvas, string text, float x, float y, SKColor color)
    {
        using var font = new SKFont(SKTypeface.Default, 13);
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawText(text, x, y, SKTextAlign.Left, font, paint);
    }

    private static void Save(string path, Action<SKCanvas> draw)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Size, Size));
        surface.Canvas.Clear(SKColors.White);
        draw(surface.Canvas);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 90);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
