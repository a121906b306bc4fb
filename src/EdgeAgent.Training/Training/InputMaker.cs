using EdgeAgent.Training.Data;

namespace EdgeAgent.Training.Training;

/// <summary>Reads images at the model's input size, with optional seeded augmentation, and lesion masks for the pointing game.</summary>
public static class InputMaker
{
    /// <summary>The image at <paramref name="size"/>; augmented when <paramref name="augmentSeed"/> is given.</summary>
    public static GrayImage Load(ImageSample sample, int size, AugmentationOptions? augmentation, int? augmentSeed)
    {
        GrayImage image;
        try
        {
            image = ImageFileReader.Read(sample.FullPath).Resize(size, size);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"Image '{sample.FullPath}' cannot be read: {e.Message}", e);
        }

        return augmentation is not null && augmentSeed is int seed
            ? Augmenter.Apply(image, augmentation, new Random(seed))
            : image;
    }

    /// <summary>The lesion mask at <paramref name="size"/> (a pixel is lesion when at least half of it was).</summary>
    public static bool[]? LoadMask(ImageSample sample, int size)
    {
        if (sample.MaskPath is null)
        {
            return null;
        }

        var mask = ImageFileReader.Read(sample.MaskPath).Resize(size, size);
        return mask.Pixels.Select(p => p >= 127.5f).ToArray();
    }

    /// <summary>ImageNet normalisation of a gray image replicated to RGB ([3*S*S]), for TorchSharp backbones.</summary>
    public static float[] ToNormalizedRgb(GrayImage image)
    {
        float[] mean = [0.485f, 0.456f, 0.406f];
        float[] std = [0.229f, 0.224f, 0.225f];
        var plane = image.Pixels.Length;
        var output = new float[3 * plane];
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < plane; i++)
            {
                output[(c * plane) + i] = ((image.Pixels[i] / 255f) - mean[c]) / std[c];
            }
        }

        return output;
    }

    /// <summary>Deterministic per-image augmentation seed from the run seed, the file and the copy number.</summary>
    public static int AugmentSeed(int runSeed, string relativePath, int copy)
    {
        var hash = 17;
        foreach (var ch in relativePath)
        {
            hash = unchecked((hash * 31) + ch);
        }

        return unchecked((hash * 397) ^ (runSeed * 7919) ^ (copy * 104729));
    }
}
