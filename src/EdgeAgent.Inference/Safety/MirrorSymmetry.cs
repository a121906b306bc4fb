using EdgeAgent.Imaging;
using EdgeAgent.Imaging.Preprocessing;

namespace EdgeAgent.Inference.Safety;

/// <summary>
/// Pearson correlation between an image and its left-right mirror at a coarse 32x32 scale. A frontal chest film
/// (two lungs either side of the mediastinum) scores high; noise, clouds and most non-chest pictures do not.
/// The coarse scale makes it indifferent to fine detail, pathology on one side and small patient rotation.
/// </summary>
public static class MirrorSymmetry
{
    public const int GridSize = 32;

    public static double Of(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var grid = ImageResizer.ResizePlane(image.ToGray(), image.Width, image.Height, 1, GridSize, GridSize);
        double mean = grid.Average(v => (double)v);
        double cross = 0, variance = 0;
        for (var y = 0; y < GridSize; y++)
        {
            for (var x = 0; x < GridSize; x++)
            {
                var a = grid[(y * GridSize) + x] - mean;
                var b = grid[(y * GridSize) + (GridSize - 1 - x)] - mean;
                cross += a * b;
                variance += a * a;
            }
        }

        // Mirroring permutes the pixels, so both sides have the same variance and the correlation is cross / variance.
        return variance <= 0 ? 0 : cross / variance;
    }
}
