using EdgeAgent.Imaging.Overlay;

namespace EdgeAgent.Imaging.Tests;

public sealed class OverlayRendererTests
{
    private static readonly OverlayText Text = new() { Label = "covid", Probability = 0.91, ModelName = "tiny", ModelVersion = "1.0.0" };

    [Fact]
    public void Overlay_is_a_png_of_the_image_size_hot_where_the_cam_peaks()
    {
        const int w = 210, h = 280;
        var image = new DecodedImage(w, h, 1, Enumerable.Repeat(128f, w * h).ToArray());
        var cam = new float[49];
        cam[(5 * 7) + 2] = 3.5f; // peak at column 2, row 5
        var png = OverlayRenderer.RenderPng(image, cam, 7, 7, Text);

        var overlay = ImageDecoder.Decode(png, "overlay.png");
        Assert.Equal("png", overlay.Format);
        Assert.Equal((w, h, 3), (overlay.Width, overlay.Height, overlay.Channels));
        // Centre of CAM cell (2,5): turbo(1) is dark red, blended at alpha 0.6 over grey 128.
        int hx = (int)(2.5 * w / 7), hy = (int)(5.5 * h / 7);
        var (r, g, b) = (overlay[hx, hy, 0], overlay[hx, hy, 1], overlay[hx, hy, 2]);
        Assert.True(r > g + 30 && r > b + 30, $"hot pixel ({r},{g},{b}) is red");
        // Two cells away the bilinear CAM is zero: the X-ray shows through unchanged.
        int cx = (int)(4.5 * w / 7), cy = (int)(6.5 * h / 7);
        Assert.Equal((128f, 128f, 128f), (overlay[cx, cy, 0], overlay[cx, cy, 1], overlay[cx, cy, 2]));
    }

    [Fact]
    public void Upsampled_cam_is_normalised_and_peaks_at_the_right_place()
    {
        var cam = new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
        var heat = OverlayRenderer.UpsampleAndNormalise(cam, 3, 3, 30, 30);
        Assert.Equal(0f, heat.Min());
        Assert.Equal(1f, heat.Max());
        Assert.Equal(1f, heat[(29 * 30) + 29]);
        Assert.Equal(0f, heat[0]);
        // Bilinear, half-pixel centres: output pixel 15 samples source coordinate 15.5/10 - 0.5 = 1.05 on both axes,
        // so the value is 4 + 0.05*1 (x step) + 0.05*3 (y step) = 4.2, normalised 4.2/8 = 0.525.
        Assert.Equal(0.525f, heat[(15 * 30) + 15], 5);
    }

    [Fact]
    public void Flat_cam_draws_no_colour_and_says_so()
    {
        var heat = OverlayRenderer.UpsampleAndNormalise(new float[49], 7, 7, 20, 20);
        Assert.All(heat, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Banner_draws_a_red_bar_across_the_top()
    {
        var image = new DecodedImage(300, 300, 1, new float[300 * 300]);
        var png = OverlayRenderer.RenderPng(image, new float[4], 2, 2, Text with { Banner = "NEEDS REVIEW" });
        var overlay = ImageDecoder.Decode(png, "b.png");
        // Far right of the banner row, away from the centred text.
        Assert.True(overlay[295, 3, 0] > 150 && overlay[295, 3, 1] < 80, "banner is red");
        var without = ImageDecoder.Decode(OverlayRenderer.RenderPng(image, new float[4], 2, 2, Text), "n.png");
        Assert.Equal(0f, without[295, 3, 0]);
    }

    [Fact]
    public void Legend_text_is_drawn_with_the_embedded_font()
    {
        // The legend panel region must contain bright glyph pixels over a black image.
        var image = new DecodedImage(400, 400, 1, new float[400 * 400]);
        var overlay = ImageDecoder.Decode(OverlayRenderer.RenderPng(image, new float[4], 2, 2, Text), "t.png");
        var bright = 0;
        for (var y = 5; y < 60; y++)
        {
            for (var x = 5; x < 200; x++)
            {
                bright += overlay[x, y, 0] > 200 ? 1 : 0;
            }
        }
        Assert.True(bright > 100, $"{bright} bright text pixels in the legend");
    }

    [Fact]
    public void Turbo_runs_from_blue_through_green_to_red()
    {
        var low = TurboColormap.Map(0.1);
        var mid = TurboColormap.Map(0.5);
        var high = TurboColormap.Map(0.9);
        Assert.True(low.B > low.R && low.B > low.G, $"low {low}");
        Assert.True(mid.G > mid.B && mid.G > 200, $"mid {mid}");
        Assert.True(high.R > high.G && high.R > high.B, $"high {high}");
    }

    [Fact]
    public void Colour_image_blends_each_channel_with_the_turbo_colour()
    {
        const int w = 140, h = 140;
        var pixels = new float[w * h * 3];
        for (var i = 0; i < w * h; i++)
        {
            (pixels[i * 3], pixels[(i * 3) + 1], pixels[(i * 3) + 2]) = (40f, 120f, 200f);
        }
        var cam = new float[49];
        cam[(3 * 7) + 3] = 1f;
        var overlay = ImageDecoder.Decode(OverlayRenderer.RenderPng(new DecodedImage(w, h, 3, pixels), cam, 7, 7, Text), "rgb.png");
        var heat = OverlayRenderer.UpsampleAndNormalise(cam, 7, 7, w, h);

        // A cold corner cell (away from the legend, colour bar and peak) keeps each channel as it was.
        Assert.Equal((40f, 120f, 200f), (overlay[10, 130, 0], overlay[10, 130, 1], overlay[10, 130, 2]));
        // Pixels around the peak: under*(1-a) + turbo*a with a = 0.6*heat. The renderer takes the
        // colour from a 4096-entry table, whose bytes are the polynomial's or one off (see
        // TurboColormap.TableSize); weighted by a <= 0.6 that moves the blend by under one level.
        foreach (var (x, y) in new[] { (70, 70), (60, 75), (78, 64), (62, 62) })
        {
            var v = heat[(y * w) + x];
            Assert.True(v > 0.2f, $"pixel ({x},{y}) is warm");
            var a = OverlayRenderer.MaxAlpha * v;
            var (cr, cg, cb) = TurboColormap.Map(v);
            Assert.InRange(overlay[x, y, 0], MathF.Round((40 * (1 - a)) + (cr * a)) - 1, MathF.Round((40 * (1 - a)) + (cr * a)) + 1);
            Assert.InRange(overlay[x, y, 1], MathF.Round((120 * (1 - a)) + (cg * a)) - 1, MathF.Round((120 * (1 - a)) + (cg * a)) + 1);
            Assert.InRange(overlay[x, y, 2], MathF.Round((200 * (1 - a)) + (cb * a)) - 1, MathF.Round((200 * (1 - a)) + (cb * a)) + 1);
        }
    }

    [Fact]
    public void Turbo_table_is_the_polynomial_within_one_level()
    {
        // Nearest-entry lookup moves the input by at most 1/8190; the steepest channel changes by
        // at most 12.7*255 levels per unit, i.e. 0.4 of a level, so the rounded byte is equal or one off.
        var table = TurboColormap.Table.ToArray();
        var random = new Random(5);
        for (var n = 0; n < 20_000; n++)
        {
            var v = random.NextSingle();
            var t = (int)((v * (TurboColormap.TableSize - 1)) + 0.5f) * 3;
            var (r, g, b) = TurboColormap.Map(v);
            Assert.InRange(table[t] - r, -1, 1);
            Assert.InRange(table[t + 1] - g, -1, 1);
            Assert.InRange(table[t + 2] - b, -1, 1);
        }
        Assert.Equal(TurboColormap.Map(0), (table[0], table[1], table[2]));
        var last = (TurboColormap.TableSize - 1) * 3;
        Assert.Equal(TurboColormap.Map(1), (table[last], table[last + 1], table[last + 2]));
    }

    [Fact]
    public void Bad_cam_shape_is_rejected()
    {
        var image = new DecodedImage(10, 10, 1, new float[100]);
        Assert.Throws<ArgumentException>(() => OverlayRenderer.RenderPng(image, new float[48], 7, 7, Text));
    }
}
