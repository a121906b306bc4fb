namespace EdgeAgent.Imaging.Phantoms;

/// <summary>
/// Synthetic PA chest radiographs with ground-truth lesion masks, deterministic by seed. NOT clinical data.
/// Anatomy, acquisition (exposure, noise, borders) and pose come from random streams that depend on
/// the seed alone — a given seed draws the very same patient and exposure whatever the class — and
/// only the lesion stream depends on the class, so a model can learn nothing but the lesions.
/// </summary>
public sealed class PhantomGenerator
{
    /// <summary>
    /// Ground glass must cover at least this fraction of each lung (it is bilateral and patchy), so it
    /// can be located on a 7x7 feature map, where one cell is 2% of the image and a lung about 13%.
    /// </summary>
    public const double MinimumGroundGlassFractionOfLung = 0.1;

    /// <summary>A consolidation must cover at least this fraction of a lung it is drawn in (lobar or large segmental).</summary>
    public const double MinimumConsolidationFractionOfLung = 0.25;

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
            var best = -1.0;
            var minimum = phantomClass == PhantomClass.Covid ? MinimumGroundGlassFractionOfLung : MinimumConsolidationFractionOfLung;
            // Redraw the lesion (from the lesion stream only) until it is large enough; keep the largest try.
            for (var attempt = 0; attempt < 16 && best < minimum; attempt++)
            {
                var (s, a) = new LesionPainter(anatomy, canvas, lesionRandom).Paint(phantomClass);
                var coverage = SmallestLungCoverage(s, canvas, anatomy, bothLungs: phantomClass == PhantomClass.Covid);
                if (coverage > best)
                {
                    (strength, amplitude, best) = (s, a, coverage);
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

    /// <summary>The smallest fraction of a lung covered by the lesion, over the lungs it is in (over both when required).</summary>
    private static double SmallestLungCoverage(float[] strength, PhantomCanvas canvas, ChestAnatomy anatomy, bool bothLungs)
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
        var smallest = double.MaxValue;
        for (var side = 0; side < 2; side++)
        {
            if (lesion[side] == 0 && !bothLungs)
            {
                continue;
            }
            smallest = Math.Min(smallest, lesion[side] / (double)Math.Max(1, lung[side]));
        }
        return smallest == double.MaxValue ? 0 : smallest;
    }
}
