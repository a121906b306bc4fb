using EdgeAgent.Training.Calibration;
using SkiaSharp;

namespace EdgeAgent.Training.Tests.Calibration;

public sealed class CalibrationErrorTests
{
    [Fact]
    public void Ece_matches_a_hand_computed_example()
    {
        // 15 bins. 0.9 and 0.9 fall in bin 13 (13/15, 14/15], one right one wrong: |0.5 - 0.9| weighted 2/4 = 0.2.
        // 0.62 in bin 9: |1 - 0.62| · 1/4 = 0.095. 0.3 in bin 4 (4/15, 5/15]: |1 - 0.3| · 1/4 = 0.175. Total 0.47.
        var ece = CalibrationError.Expected([0.9, 0.9, 0.62, 0.3], [true, false, true, true]);
        Assert.Equal(0.47, ece, 12);
        var bins = CalibrationError.Bins([0.9, 0.9, 0.62, 0.3], [true, false, true, true]);
        Assert.Equal(15, bins.Count);
        Assert.Equal(2, bins[13].Count);
        Assert.Equal(0.5, bins[13].Accuracy);
        Assert.Equal(1, bins[9].Count);
        Assert.Equal(1, bins[4].Count);
    }

    [Fact]
    public void A_perfectly_calibrated_bin_has_zero_error() =>
        // Four samples at confidence 0.75, three right: accuracy equals confidence.
        Assert.Equal(0.0, CalibrationError.Expected([0.75, 0.75, 0.75, 0.75], [true, true, true, false]), 12);

    [Fact]
    public void Ood_threshold_accepts_the_stated_share_and_auroc_counts_pairs()
    {
        var scores = Enumerable.Range(1, 100).Select(i => (double)i).ToList();
        Assert.Equal(95.0, OodThreshold.AtTruePositiveRate(scores, 0.95));
        Assert.Equal(0.05, OodThreshold.FalseFlagRate(scores, 95.0), 12);
        // OOD 2.5 beats 1 and 2 (2 of 3); 4 beats all 3; 3 ties 3 (one half) and beats 1, 2: (2 + 3 + 2.5) / 9.
        Assert.Equal(7.5 / 9, OodThreshold.Auroc([1, 2, 3], [2.5, 4, 3]), 12);
    }

    [Fact]
    public void Reliability_diagram_png_has_two_panels_with_bars()
    {
        var path = Path.Combine(Path.GetTempPath(), $"reliability-{Guid.NewGuid():N}.png");
        try
        {
            var before = CalibrationError.Bins([0.95, 0.95, 0.9, 0.6], [true, false, false, true]);
            var after = CalibrationError.Bins([0.7, 0.6, 0.55, 0.5], [true, false, false, true]);
            ReliabilityDiagram.WritePng(path, before, 0.4, after, 0.1, 2.0);
            using var bitmap = SKBitmap.Decode(path);
            Assert.Equal(2 * ReliabilityDiagram.PanelSize, bitmap.Width);
            Assert.Equal(ReliabilityDiagram.PanelSize, bitmap.Height);
            var barColour = new SKColor(0x1F, 0x77, 0xB4);
            int Bars(int from, int to) => Enumerable.Range(from, to - from).Sum(x => Enumerable.Range(0, bitmap.Height).Count(y => bitmap.GetPixel(x, y) == barColour));
            Assert.True(Bars(0, ReliabilityDiagram.PanelSize) > 100);
            Assert.True(Bars(ReliabilityDiagram.PanelSize, 2 * ReliabilityDiagram.PanelSize) > 100);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
