using System.Globalization;
using SkiaSharp;

namespace EdgeAgent.Training.Calibration;

/// <summary>
/// Reliability diagrams before and after temperature scaling, side by side in one PNG: per confidence bin, a bar of
/// the observed accuracy against the diagonal of perfect calibration, with the gap shaded and the ECE in the title.
/// </summary>
public static class ReliabilityDiagram
{
    public const int PanelSize = 400;
    private const int Margin = 45;

    public static void WritePng(string path, IReadOnlyList<ReliabilityBin> before, double eceBefore, IReadOnlyList<ReliabilityBin> after, double eceAfter, double temperature)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var surface = SKSurface.Create(new SKImageInfo(2 * PanelSize, PanelSize));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        Panel(canvas, 0, before, string.Create(CultureInfo.InvariantCulture, $"before (T = 1): ECE {eceBefore:0.0000}"));
        Panel(canvas, PanelSize, after, string.Create(CultureInfo.InvariantCulture, $"after (T = {temperature:0.000}): ECE {eceAfter:0.0000}"));
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 90);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static void Panel(SKCanvas canvas, float left, IReadOnlyList<ReliabilityBin> bins, string title)
    {
        var plot = PanelSize - (2 * Margin);
        float X(double v) => left + Margin + (float)(v * plot);
        float Y(double v) => PanelSize - Margin - (float)(v * plot);

        using var bar = new SKPaint { Color = new SKColor(0x1F, 0x77, 0xB4), Style = SKPaintStyle.Fill };
        using var gap = new SKPaint { Color = new SKColor(0xD6, 0x27, 0x28, 0x70), Style = SKPaintStyle.Fill };
        foreach (var b in bins.Where(b => b.Count > 0))
        {
            canvas.DrawRect(new SKRect(X(b.Lower), Y(b.Accuracy), X(b.Upper), Y(0)), bar);
            canvas.DrawRect(new SKRect(X(b.Lower), Y(Math.Max(b.Accuracy, b.MeanConfidence)), X(b.Upper), Y(Math.Min(b.Accuracy, b.MeanConfidence))), gap);
        }

        using var line = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1, Style = SKPaintStyle.Stroke, IsAntialias = true };
        canvas.DrawLine(X(0), Y(0), X(1), Y(1), line);
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        canvas.DrawRect(new SKRect(X(0), Y(1), X(1), Y(0)), axis);
        Text(canvas, title, X(0), Margin - 15);
        Text(canvas, "confidence", X(0.4), PanelSize - 12);
        Text(canvas, "accuracy", left + 2, Margin - 2);
    }

    private static void Text(SKCanvas canvas, string text, float x, float y)
    {
        using var font = new SKFont(SKTypeface.Default, 13);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(text, x, y, SKTextAlign.Left, font, paint);
    }
}
