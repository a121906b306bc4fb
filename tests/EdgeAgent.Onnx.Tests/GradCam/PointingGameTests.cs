using EdgeAgent.Onnx.GradCam;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>The shared pointing-game definition (edge-train's evaluation and the agent's fidelity benchmark).</summary>
public sealed class PointingGameTests
{
    [Fact]
    public void Upsampling_keeps_a_constant_grid_constant_and_reproduces_the_cell_centres()
    {
        var constant = PointingGame.Upsample(Enumerable.Repeat(0.25f, 4).ToArray(), 2, 2, 8, 8);
        Assert.All(constant, v => Assert.Equal(0.25f, v));

        // A 2x2 grid upsampled to 8x8: each cell's centre (1.5 px from its corner at scale 4) sits between image pixels
        // 1 and 2; the outer quarter of the image is clamped to the outer cell values, so corners equal the cells.
        float[] grid = [0, 1, 2, 3];
        var image = PointingGame.Upsample(grid, 2, 2, 8, 8);
        Assert.Equal(0f, image[0]);
        Assert.Equal(1f, image[7]);
        Assert.Equal(2f, image[7 * 8]);
        Assert.Equal(3f, image[63]);
        // Halfway between the columns (x = 3.5 → grid 0.875 - 0.5 = 0.375 of the way, row clamped to 0).
        Assert.Equal(0.375f, image[3], 6);
    }

    [Fact]
    public void A_hit_is_a_maximum_inside_the_mask_dilated_by_the_given_pixels()
    {
        const int size = 16;
        var mask = new bool[size * size];
        mask[(5 * size) + 5] = true; // one lesion pixel at (5, 5)
        var cam = new float[size * size];
        cam[(5 * size) + 8] = 1;     // maximum at (8, 5): 3 px away (Chebyshev)

        Assert.False(PointingGame.Hit(cam, mask, size, size, dilation: 2));
        Assert.True(PointingGame.Hit(cam, mask, size, size, dilation: 3));
        Assert.False(PointingGame.Hit(new float[size * size], mask, size, size, dilation: 16)); // an all-zero CAM points nowhere
        Assert.Equal(16, PointingGame.Dilation(224, 7));
    }
}
