using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Imaging.Preprocessing;

/// <summary>
/// Turns a decoded image into the model's input tensor as the manifest describes it: resized to
/// the input size, grey replicated to three channels (or colour reduced to luminance for a grey
/// model), channels in RGB or BGR order, each sample p becoming (p * Scale - Mean[c]) / Std[c], NCHW.
/// </summary>
public static class Preprocessor
{
    /// <summary>Channels of the tensor the spec asks for (1 for Gray, else 3).</summary>
    public static int ChannelCount(InputSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Channels == ChannelOrder.Gray ? 1 : 3;
    }

    /// <summary>One image as a [1, C, H, W] tensor, row-major.</summary>
    public static float[] ToTensor(DecodedImage image, InputSpec spec)
    {
        var tensor = new float[ChannelCount(spec) * spec.Width * spec.Height];
        Fill(image, spec, tensor);
        return tensor;
    }

    /// <summary>Several images as one [N, C, H, W] tensor.</summary>
    public static float[] ToBatch(IReadOnlyList<DecodedImage> images, InputSpec spec)
    {
        ArgumentNullException.ThrowIfNull(images);
        var size = ChannelCount(spec) * spec.Width * spec.Height;
        var tensor = new float[images.Count * size];
        for (var n = 0; n < images.Count; n++)
        {
            Fill(images[n], spec, tensor.AsSpan(n * size, size));
        }
        return tensor;
    }

    /// <summary>Writes one image's [C, H, W] values into <paramref name="destination"/>.</summary>
    public static void Fill(DecodedImage image, InputSpec spec, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        Validate(spec);
        var channels = ChannelCount(spec);
        var plane = spec.Width * spec.Height;
        if (destination.Length != channels * plane)
        {
            throw new ArgumentException($"destination holds {destination.Length} values, the input needs {channels * plane}", nameof(destination));
        }
        var resized = ImageResizer.Resize(image, spec.Width, spec.Height);
        var source = resized.Pixels;
        var sourceChannels = resized.Channels;
        var grey = channels == 1 && sourceChannels == 3 ? resized.ToGray() : null;
        for (var c = 0; c < channels; c++)
        {
            // Which source channel feeds tensor channel c: BGR reverses the order; grey feeds all.
            var from = sourceChannels == 1 ? 0 : spec.Channels == ChannelOrder.Bgr ? 2 - c : c;
            var scale = spec.Scale;
            var mean = spec.Mean[c];
            var std = spec.Std[c];
            var output = destination.Slice(c * plane, plane);
            for (var i = 0; i < plane; i++)
            {
                var p = grey is not null ? grey[i] : source[(i * sourceChannels) + from];
                output[i] = ((p * scale) - mean) / std;
            }
        }
    }

    private static void Validate(InputSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var channels = ChannelCount(spec);
        if (spec.Width <= 0 || spec.Height <= 0)
        {
            throw new ArgumentException($"input.width/input.height must be positive, got {spec.Width}x{spec.Height}", nameof(spec));
        }
        if (spec.Mean.Count < channels || spec.Std.Count < channels)
        {
            throw new ArgumentException($"input.mean and input.std need {channels} values for {spec.Channels}, got {spec.Mean.Count} and {spec.Std.Count}", nameof(spec));
        }
        for (var c = 0; c < channels; c++)
        {
            if (spec.Std[c] == 0 || !float.IsFinite(spec.Std[c]))
            {
                throw new ArgumentException($"input.std[{c}] must be a finite non-zero number, got {spec.Std[c]}", nameof(spec));
            }
        }
    }
}
