namespace EdgeAgent.Imaging.Phantoms;

/// <summary>
/// Paints the only thing that differs between classes: the opacities, inside the lungs, into a
/// separate lesion-density map whose normalised value also defines the ground-truth mask.
/// covid: bilateral, peripheral, lower-zone ground-glass (hazy, patchy, vessels still visible);
/// pneumonia: lobar or segmental consolidation, usually one lung, dense and homogeneous with a sharp fissure edge.
/// </summary>
internal sealed class LesionPainter
{
    /// <summary>Normalised lesion strength above which a pixel belongs to the mask.</summary>
    public const float MaskThreshold = 0.35f;

    private readonly ChestAnatomy _anatomy;
    private readonly PhantomCanvas _canvas;
    private readonly DeterministicRandom _random;
    private readonly ValueNoise _noise;

    public LesionPainter(ChestAnatomy anatomy, PhantomCanvas canvas, DeterministicRandom random)
    {
        _anatomy = anatomy;
        _canvas = canvas;
        _random = random;
        _noise = new ValueNoise(random.NextUInt64());
    }

    /// <summary>Returns the lesion strength (0..1) per pixel and its density amplitude.</summary>
    public (float[] Strength, float Amplitude) Paint(PhantomClass phantomClass) => phantomClass switch
    {
        PhantomClass.Covid => (GroundGlass(), _random.RangeF(0.24f, 0.34f)),
        PhantomClass.Pneumonia => (Consolidation(), _random.RangeF(0.32f, 0.44f)),
        _ => (new float[_canvas.Density.Length], 0f),
    };

    private float[] GroundGlass()
    {
        var strength = new float[_canvas.Density.Length];
        var blobs = new List<(float X, float Y, float Rx, float Ry)>();
        for (var side = 0; side < 2; side++)
        {
            var count = _random.Next(2, 4);
            for (var b = 0; b < count; b++)
            {
                var (x, y) = PickPoint(side, lowerFrom: 0.5f, lowerTo: 0.95f, lateralFrom: 0.6f, lateralTo: 0.95f);
                blobs.Add((x, y, _random.RangeF(0.065f, 0.1f), _random.RangeF(0.075f, 0.115f)));
            }
        }
        var frequency = _random.RangeF(10f, 16f);
        for (var p = 0; p < strength.Length; p++)
        {
            float px = _canvas.X[p], py = _canvas.Y[p];
            var lung = _anatomy.LungMap[p];
            if (lung <= 0)
            {
                continue;
            }
            var warp = (_noise.Fractal(px * 9, py * 9, 2) - 0.5f) * 0.5f;
            var cover = 0f;
            foreach (var (bx, by, rx, ry) in blobs)
            {
                float dx = (px - bx) / rx, dy = (py - by) / ry;
                var d = MathF.Sqrt((dx * dx) + (dy * dy)) + warp;
                cover = Math.Max(cover, 1f - Shapes.SmoothStep(0.55f, 1.1f, d));
            }
            // Patchy, hazy texture: ground glass is not uniform.
            var texture = 0.55f + (0.45f * _noise.Fractal(px * frequency, py * frequency, 3));
            strength[p] = cover * texture * lung;
        }
        return strength;
    }

    private float[] Consolidation()
    {
        var strength = new float[_canvas.Density.Length];
        var first = _random.Next(0, 2);
        var sides = _random.Chance(0.25) ? new[] { 0, 1 } : [first];
        var regions = new List<Func<float, float, float>>();
        foreach (var side in sides)
        {
            var kind = _random.NextDouble();
            var top = _anatomy.ApexY;
            var bottom = _anatomy.DiaphragmTop(side) + 0.06f;
            var height = bottom - top;
            var sign = side == 0 ? -1f : 1f;
            var cx = _anatomy.CentreX;
            if (kind < 0.55)
            {
                // Lower lobe: below an oblique fissure running down from lateral to medial.
                var fissureLateral = top + (height * _random.RangeF(0.42f, 0.55f));
                var fissureMedial = fissureLateral + (height * _random.RangeF(0.12f, 0.2f));
                var extent = _random.RangeF(0.75f, 1.0f);
                regions.Add((x, y) =>
                {
                    if (((x - cx) * sign) <= 0) { return 0f; }
                    var across = Math.Clamp((x - cx) * sign / _anatomy.LateralHalf(y), 0f, 1f);
                    var fissure = fissureMedial + ((fissureLateral - fissureMedial) * across) - (0.03f * MathF.Sin(MathF.PI * across));
                    var below = Shapes.SmoothStep(fissure - 0.004f, fissure + 0.004f, y);
                    var fade = 1f - Shapes.SmoothStep(extent - 0.15f, extent + 0.05f, 1f - across);
                    return below * Math.Max(fade, 0.15f);
                });
            }
            else if (kind < 0.8)
            {
                // Upper lobe (or right middle lobe): above a roughly horizontal fissure.
                var fissure = top + (height * _random.RangeF(0.38f, 0.5f));
                regions.Add((x, y) => ((x - cx) * sign) <= 0 ? 0f : 1f - Shapes.SmoothStep(fissure - 0.004f, fissure + 0.004f, y));
            }
            else
            {
                // Segmental: a large rounded consolidation with one flat (fissural) border.
                var (bx, by) = PickPoint(side, lowerFrom: 0.3f, lowerTo: 0.8f, lateralFrom: 0.35f, lateralTo: 0.75f);
                var r = _random.RangeF(0.11f, 0.15f);
                var flat = by - (r * _random.RangeF(0.3f, 0.6f));
                regions.Add((x, y) =>
                {
                    float dx = x - bx, dy = y - by;
                    var blob = 1f - Shapes.SmoothStep(r * 0.85f, r * 1.1f, MathF.Sqrt((dx * dx) + (dy * dy)));
                    return blob * Shapes.SmoothStep(flat - 0.004f, flat + 0.004f, y);
                });
            }
        }
        for (var p = 0; p < strength.Length; p++)
        {
            float px = _canvas.X[p], py = _canvas.Y[p];
            var lung = _anatomy.LungMap[p];
            if (lung <= 0)
            {
                continue;
            }
            var region = 0f;
            foreach (var f in regions)
            {
                region = Math.Max(region, f(px, py));
            }
            // Dense and nearly homogeneous, with faint darker branching (air bronchograms).
            var texture = 0.88f + (0.12f * _noise.Fractal(px * 20, py * 20, 2));
            var bronchogram = _noise.Fractal((px * 6) + 50, (py * 6) + 50, 2);
            var air = 0.12f * Shapes.Inside(MathF.Abs(bronchogram - 0.5f) - 0.02f, 0.01f);
            strength[p] = region * (texture - air) * lung;
        }
        return strength;
    }

    /// <summary>A point well inside one lung, in a band of height (from apex to diaphragm) and of lateral position (from mid-line).</summary>
    private (float X, float Y) PickPoint(int side, float lowerFrom, float lowerTo, float lateralFrom, float lateralTo)
    {
        var sign = side == 0 ? -1f : 1f;
        var top = _anatomy.ApexY;
        var bottom = _anatomy.DiaphragmTop(side) + 0.04f;
        (float, float) candidate = (0, 0);
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var y = top + ((bottom - top) * _random.RangeF(lowerFrom, lowerTo));
            var x = _anatomy.CentreX + (sign * _anatomy.LateralHalf(y) * _random.RangeF(lateralFrom, lateralTo));
            candidate = (x, y);
            if (_anatomy.LungMask(x, y, side) > 0.9f)
            {
                return candidate;
            }
        }
        return candidate;
    }
}
