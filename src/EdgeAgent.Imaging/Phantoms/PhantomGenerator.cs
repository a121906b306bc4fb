namespace EdgeAgent.Imaging.Phantoms;

/// <summary>
/// Synthetic PA chest radiographs with ground-truth lesion masks, deterministic by seed. NOT clinical data.
/// Anatomy, acquisition (exposure, noise, borders) and pose come from random streams that depend on
/// the seed alone — a given seed draws the very same patient and exposure whatever the class — and
/// only the lesion stream depends on the class, so a model can learn nothing but the lesions.
/// </summary>
public sealed class PhantomGenerator
{
    /// <summary>A lesion must cover at least this fraction of a lung it is drawn in, so it can be located on a 7x7 map.</summary>
    public const double MinimumLesionFractionOfLung = 0.06;

    public PhantomGenerator(int size = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 32);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 4096);
        Size = size;
    }

    public int Size { get; }

    public Phantom Generate(PhantomClass phantomClass, ulong seed)
    {
        var acquisitionRandom = DeterministicRandom.ForStream(seed, "acquisition");
        var canvas = new PhantomCanvas(Size, acquisitionRandom);
        var acquisition = new Acquisition(acquisitionRandom);
        var anatomy = new ChestAnatomy(DeterministicRandom.ForStream(seed, "anatomy"));
        anatomy.Paint(canvas);

        var mask = new byte[Size * Size];
        if (phantomClass != PhantomClass.Normal)
        {
            var lesionRandom = DeterministicRandom.ForStream(seed, "lesion-" + PhantomLabels.Of(phantomClass));
            float[] strength = [];
            float amplitude = 0;
            for (var attempt = 0; attempt < 8; attempt++)
            {
                (strength, amplitude) = new LesionPainter(anatomy, canvas, lesionRandom).Paint(phantomClass);
                if (LargeEnough(strength, canvas, anatomy, bothLungs: phantomClass == PhantomClass.Covid))
                {
                    break;
                }
            }
            for (var p = 0; p < mask.Length; p++)
            {
                canvas.Density[p] += amplitude * strength[p];
                mask[p] = strength[p] >= LesionPainter.MaskThreshold ? (byte)255 : (byte)0;
            }
        }
        var pixels = acquisition.Expose(canvas, DeterministicRandom.ForStream(seed, "noise"));
        var image = new DecodedImage(Size, Size, 1, pixels, "phantom");
        return new Phantom { Image = image, Mask = mask, Label = PhantomLabels.Of(phantomClass), Seed = seed };
    }

    private static bool LargeEnough(float[] strength, PhantomCanvas canvas, ChestAnatomy anatomy, bool bothLungs)
    {
        Span<int> lung = stackalloc int[2];
        Span<int> lesion = stackalloc int[2];
        for (var p = 0; p < strength.Length; p++)
        {
            var side = canvas.X[p] < anatomy.CentreX ? 0 : 1;
            if (anatomy.LungMap[p] > 0.5f)
            {
                lung[side]++;
                if (strength[p] >= LesionPainter.MaskThreshold)
                {
                    lesion[side]++;
                }
            }
        }
        var any = false;
        for (var side = 0; side < 2; side++)
        {
            if (lesion[side] == 0)
            {
                if (bothLungs)
                {
                    return false;
                }
                continue;
            }
            if (lesion[side] < MinimumLesionFractionOfLung * lung[side])
            {
                return false;
            }
            any = true;
        }
        return any;
    }
}
