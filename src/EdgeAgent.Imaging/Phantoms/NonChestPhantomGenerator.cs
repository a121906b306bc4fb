namespace EdgeAgent.Imaging.Phantoms;

/// <summary>
/// "Not a chest" inputs for the clinical-safety work: hand and knee radiograph phantoms drawn with
/// the same detector model as the chests, plus blank and noise frames. Masks are empty.
/// </summary>
public sealed class NonChestPhantomGenerator
{
    public NonChestPhantomGenerator(int size = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 32);
        Size = size;
    }

    public int Size { get; }

    public static string LabelOf(NonChestKind kind) => kind.ToString().ToLowerInvariant();

    public Phantom Generate(NonChestKind kind, ulong seed)
    {
        var random = DeterministicRandom.ForStream(seed, "non-chest-" + LabelOf(kind));
        float[] pixels;
        switch (kind)
        {
            case NonChestKind.Blank:
            {
                var level = random.RangeF(0f, 255f);
                var noise = DeterministicRandom.ForStream(seed, "noise");
                pixels = new float[Size * Size];
                for (var i = 0; i < pixels.Length; i++)
                {
                    pixels[i] = Math.Clamp(level + ((float)noise.Gaussian() * 0.8f), 0f, 255f);
                }
                break;
            }
            case NonChestKind.Noise:
                pixels = Noise(random);
                break;
            default:
            {
                var acquisitionRandom = DeterministicRandom.ForStream(seed, "acquisition");
                var canvas = new PhantomCanvas(Size, acquisitionRandom);
                var acquisition = new Acquisition(acquisitionRandom);
                if (kind == NonChestKind.Hand)
                {
                    PaintHand(canvas, random);
                }
                else
                {
                    PaintKnee(canvas, random);
                }
                pixels = acquisition.Expose(canvas, DeterministicRandom.ForStream(seed, "noise"));
                break;
            }
        }
        return new Phantom
        {
            Image = new DecodedImage(Size, Size, 1, pixels, "phantom"),
            Mask = new byte[Size * Size],
            Label = LabelOf(kind),
            Seed = seed,
        };
    }

    private float[] Noise(DeterministicRandom random)
    {
        var pixels = new float[Size * Size];
        if (random.Chance(0.5))
        {
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = random.RangeF(0f, 255f);
            }
            return pixels;
        }
        var noise = new ValueNoise(random.NextUInt64());
        var frequency = random.RangeF(4f, 24f);
        for (var j = 0; j < Size; j++)
        {
            for (var i = 0; i < Size; i++)
            {
                pixels[(j * Size) + i] = 255f * noise.Fractal(i * frequency / Size, j * frequency / Size, 4);
            }
        }
        return pixels;
    }

    /// <summary>A bone with cortex (bright rim) inside a soft-tissue sleeve.</summary>
    private static void Limb(PhantomCanvas canvas, (float, float)[] points, float bone, float tissue)
    {
        if (tissue > 0)
        {
            canvas.AddTube(points, tissue, tissue * 0.9f, 0.25f);
        }
        canvas.AddTube(points, bone, bone * 0.9f, 0.3f, rim: 0.7f);
    }

    private static void PaintHand(PhantomCanvas canvas, DeterministicRandom r)
    {
        var mirror = r.Chance(0.5) ? -1f : 1f;
        float X(float x) => 0.5f + (mirror * (x - 0.5f));
        // Forearm: radius and ulna in one soft-tissue sleeve.
        canvas.AddTube([(X(0.5f), 1.1f), (X(0.5f), 0.72f)], 0.13f, 0.12f, 0.3f);
        canvas.AddTube([(X(0.45f), 1.1f), (X(0.455f), 0.73f)], 0.028f, 0.034f, 0.32f, rim: 0.7f);
        canvas.AddTube([(X(0.56f), 1.1f), (X(0.55f), 0.74f)], 0.02f, 0.022f, 0.32f, rim: 0.7f);
        // Palm and carpal bones.
        canvas.AddTube([(X(0.5f), 0.7f), (X(0.5f), 0.52f)], 0.14f, 0.15f, 0.3f);
        for (var i = 0; i < 8; i++)
        {
            float cx = X(0.44f + (0.035f * (i % 4))), cy = 0.66f + (0.035f * (i / 4));
            canvas.AddTube([(cx, cy), (cx + 0.004f, cy + 0.004f)], 0.016f, 0.016f, 0.28f, rim: 0.5f);
        }
        var spread = r.RangeF(0.04f, 0.12f);
        float[] lengths = [0.95f, 1f, 0.95f, 0.8f];
        for (var f = 0; f < 4; f++)
        {
            var angle = (f - 1.5f) * spread;
            float bx = X(0.42f + (0.055f * f)), by = 0.63f;
            var dir = (MathF.Sin(angle) * mirror, -MathF.Cos(angle));
            float[] segments = [0.17f, 0.11f * lengths[f], 0.07f * lengths[f], 0.05f * lengths[f]];
            float x = bx, y = by;
            var start = (x, y);
            foreach (var length in segments)
            {
                var end = (x + (dir.Item1 * length), y + (dir.Item2 * length));
                canvas.AddTube([(x, y), end], 0.013f, 0.01f, 0.3f, rim: 0.7f);
                x = end.Item1 + (dir.Item1 * 0.01f);
                y = end.Item2 + (dir.Item2 * 0.01f);
            }
            canvas.AddTube([start, (x, y)], 0.032f, 0.026f, 0.22f);
        }
        // Thumb: metacarpal and two phalanges, angled away from the fingers.
        var thumbAngle = r.RangeF(0.6f, 0.9f);
        float tx = X(0.4f), ty = 0.68f;
        var tdir = (-MathF.Sin(thumbAngle) * mirror, -MathF.Cos(thumbAngle));
        var thumbStart = (tx, ty);
        foreach (var length in new[] { 0.12f, 0.08f, 0.06f })
        {
            var end = (tx + (tdir.Item1 * length), ty + (tdir.Item2 * length));
            canvas.AddTube([(tx, ty), end], 0.015f, 0.012f, 0.3f, rim: 0.7f);
            tx = end.Item1 + (tdir.Item1 * 0.01f);
            ty = end.Item2 + (tdir.Item2 * 0.01f);
        }
        canvas.AddTube([thumbStart, (tx, ty)], 0.036f, 0.028f, 0.22f);
    }

    private static void PaintKnee(PhantomCanvas canvas, DeterministicRandom r)
    {
        var width = r.RangeF(0.9f, 1.1f);
        var gap = r.RangeF(0.02f, 0.04f);
        canvas.AddTube([(0.5f, -0.1f), (0.5f, 1.1f)], 0.24f * width, 0.2f * width, 0.35f);
        // Femur: shaft widening into two condyles.
        Limb(canvas, [(0.5f, -0.1f), (0.5f, 0.4f)], 0.065f * width, 0.0f);
        canvas.AddTube([(0.43f, 0.44f), (0.57f, 0.44f)], 0.07f * width, 0.07f * width, 0.3f, rim: 0.6f);
        // Patella seen through the femur.
        canvas.AddTube([(0.5f, 0.38f), (0.5f, 0.42f)], 0.04f, 0.04f, 0.12f, rim: 0.4f);
        // Tibial plateau and shaft below the joint space, fibula laterally.
        var plateau = 0.44f + 0.07f + gap + 0.03f;
        canvas.AddTube([(0.4f, plateau), (0.6f, plateau)], 0.03f, 0.03f, 0.3f, rim: 0.6f);
        Limb(canvas, [(0.5f, plateau), (0.5f, 1.1f)], 0.055f * width, 0.0f);
        canvas.AddTube([(0.625f, plateau + 0.04f), (0.635f, 1.1f)], 0.018f, 0.014f, 0.3f, rim: 0.7f);
    }
}
