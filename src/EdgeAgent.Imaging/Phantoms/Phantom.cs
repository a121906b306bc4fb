namespace EdgeAgent.Imaging.Phantoms;

/// <summary>A synthetic radiograph with its ground truth: the class and a lesion mask (0 or 255 per pixel).</summary>
public sealed record Phantom
{
    public required DecodedImage Image { get; init; }
    /// <summary>Row-major, image-sized; 255 where a lesion is, 0 elsewhere (all 0 for normal and non-chest).</summary>
    public required byte[] Mask { get; init; }
    /// <summary>covid, pneumonia, normal, or a non-chest kind such as hand.</summary>
    public required string Label { get; init; }
    public required ulong Seed { get; init; }

    /// <summary>Fraction of the image covered by the lesion mask.</summary>
    public double LesionFraction => Mask.Count(m => m != 0) / (double)Mask.Length;
}
