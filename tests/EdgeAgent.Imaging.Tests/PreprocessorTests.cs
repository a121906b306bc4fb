using EdgeAgent.Imaging.Preprocessing;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Imaging.Tests;

public sealed class PreprocessorTests
{
    private static InputSpec Spec(int w, int h, ChannelOrder order, float[]? mean = null, float[]? std = null, float scale = 1f / 255f) => new()
    {
        Name = "input", Width = w, Height = h, Channels = order, Scale = scale,
        Mean = mean ?? [0f, 0f, 0f], Std = std ?? [1f, 1f, 1f],
    };

    [Fact]
    public void Grey_image_is_replicated_and_normalised_per_channel()
    {
        var image = new DecodedImage(2, 2, 1, [0f, 51f, 102f, 255f]);
        var spec = Spec(2, 2, ChannelOrder.Rgb, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
        var tensor = Preprocessor.ToTensor(image, spec);
        Assert.Equal(12, tensor.Length);
        // Hand-computed: pixel 51 -> 0.2; channel 1: (0.2 - 0.456) / 0.224 = -1.142857.
        Assert.Equal(-1.142857f, tensor[4 + 1], 5);
        // pixel 255 -> 1.0; channel 2: (1 - 0.406) / 0.225 = 2.64.
        Assert.Equal(2.64f, tensor[8 + 3], 5);
        // pixel 0; channel 0: -0.485 / 0.229 = -2.117904.
        Assert.Equal(-2.117904f, tensor[0], 5);
    }

    [Fact]
    public void Bgr_reverses_channel_order_and_scale_one_keeps_raw_levels()
    {
        var image = new DecodedImage(1, 1, 3, [10f, 20f, 30f]);
        var tensor = Preprocessor.ToTensor(image, Spec(1, 1, ChannelOrder.Bgr, [1f, 2f, 3f], [1f, 2f, 4f], scale: 1f));
        // B first: (30-1)/1, then G: (20-2)/2, then R: (10-3)/4.
        Assert.Equal([29f, 9f, 1.75f], tensor);
    }

    [Fact]
    public void Gray_model_gets_one_channel_of_luminance()
    {
        var image = new DecodedImage(1, 1, 3, [100f, 200f, 50f]);
        var tensor = Preprocessor.ToTensor(image, Spec(1, 1, ChannelOrder.Gray, [0f], [1f], scale: 1f));
        // Rec. 601: 0.299*100 + 0.587*200 + 0.114*50 = 153.0
        Assert.Single(tensor);
        Assert.Equal(153.0f, tensor[0], 3);
    }

    [Fact]
    public void Downscale_is_an_exact_area_average()
    {
        // 4x4 -> 2x2: each output is the mean of a 2x2 block.
        var image = new DecodedImage(4, 4, 1, Enumerable.Range(0, 16).Select(i => (float)i).ToArray());
        var tensor = Preprocessor.ToTensor(image, Spec(2, 2, ChannelOrder.Gray, [0f], [1f], scale: 1f));
        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f], tensor);
    }

    [Fact]
    public void Non_integer_downscale_weights_cover_fractions()
    {
        // 3 -> 2 along x: output 0 covers source [0, 1.5): (a + 0.5 b) / 1.5.
        var image = new DecodedImage(3, 1, 1, [3f, 6f, 9f]);
        var tensor = Preprocessor.ToTensor(image, Spec(2, 1, ChannelOrder.Gray, [0f], [1f], scale: 1f));
        Assert.Equal(4f, tensor[0], 5);
        Assert.Equal(8f, tensor[1], 5);
    }

    [Fact]
    public void Upscale_is_bilinear_with_half_pixel_centres()
    {
        // 2 -> 4 along x: centres at -0.25, 0.25, 0.75, 1.25 in source pixels (clamped at the ends).
        var image = new DecodedImage(2, 1, 1, [0f, 100f]);
        var tensor = Preprocessor.ToTensor(image, Spec(4, 1, ChannelOrder.Gray, [0f], [1f], scale: 1f));
        Assert.Equal([0f, 25f, 75f, 100f], tensor);
    }

    [Fact]
    public void Batch_stacks_images_in_order()
    {
        var a = new DecodedImage(1, 1, 1, [51f]);
        var b = new DecodedImage(1, 1, 1, [102f]);
        var batch = Preprocessor.ToBatch([a, b], Spec(1, 1, ChannelOrder.Rgb));
        Assert.Equal(6, batch.Length);
        Assert.Equal(0.2f, batch[0], 6);
        Assert.Equal(0.4f, batch[3], 6);
    }

    [Fact]
    public void Bad_spec_names_the_field()
    {
        var image = new DecodedImage(1, 1, 1, [0f]);
        Assert.Contains("input.std[1]", Assert.Throws<ArgumentException>(() => Preprocessor.ToTensor(image, Spec(1, 1, ChannelOrder.Rgb, std: [1f, 0f, 1f]))).Message);
        Assert.Contains("input.mean", Assert.Throws<ArgumentException>(() => Preprocessor.ToTensor(image, Spec(1, 1, ChannelOrder.Rgb, mean: [0f]))).Message);
    }

    [Fact]
    public void Resize_plane_matches_a_direct_bilinear_and_area_reference()
    {
        // Reference: each output sample as the double-precision sum over both axes' weights.
        // The resizer sums in float32 (two passes); with samples up to 255 and a handful of
        // taps per axis, rounding stays near 255 * 2^-24 * taps, far below the 1e-3 allowed.
        var random = new Random(11);
        foreach (var (sw, sh, c, w, h) in new[] { (7, 7, 1, 64, 48), (5, 4, 3, 17, 9), (90, 60, 3, 16, 25), (33, 40, 1, 50, 7) })
        {
            var source = new float[sw * sh * c];
            for (var i = 0; i < source.Length; i++)
            {
                source[i] = random.NextSingle() * 255;
            }
            var resized = ImageResizer.ResizePlane(source, sw, sh, c, w, h);
            var horizontal = ImageResizer.Weights(sw, w);
            var vertical = ImageResizer.Weights(sh, h);
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    for (var ch = 0; ch < c; ch++)
                    {
                        var expected = 0.0;
                        foreach (var (iy, wy) in vertical[y])
                        {
                            foreach (var (ix, wx) in horizontal[x])
                            {
                                expected += (double)wy * wx * source[(((iy * sw) + ix) * c) + ch];
                            }
                        }
                        Assert.Equal(expected, resized[(((y * w) + x) * c) + ch], 1e-3);
                    }
                }
            }
        }
    }
}
