namespace EdgeAgent.Imaging.Phantoms;

/// <summary>
/// A PA chest in patient coordinates (x across, y down, both 0..1; the patient's right lung on the
/// image's left): soft tissue, lungs, mediastinum and heart, trachea, spine, ribs, clavicles,
/// humeral heads, diaphragm, gastric bubble and vessel markings. All sizes vary by seed.
/// </summary>
internal sealed class ChestAnatomy
{
    private readonly float _cx, _thoraxHalf, _bodyHalf, _apexY, _medHalf;
    private readonly float _heartTop, _heartLeft, _atriumTop, _atriumRight;
    private readonly float _knobY, _knobBulge;
    private readonly float[] _diaphragm = new float[2], _domeHeight = new float[2];
    private readonly float _softDensity, _airDensity, _carinaY;
    private readonly bool _gastricBubble;
    private readonly float _bubbleX, _bubbleY;
    private readonly DeterministicRandom _random;

    public ChestAnatomy(DeterministicRandom random)
    {
        _random = random;
        _cx = 0.5f + (float)(random.Gaussian() * 0.012);
        _thoraxHalf = random.RangeF(0.30f, 0.37f);
        _bodyHalf = _thoraxHalf + random.RangeF(0.05f, 0.09f);
        _apexY = random.RangeF(0.11f, 0.17f);
        _medHalf = random.RangeF(0.045f, 0.06f);
        _diaphragm[0] = random.RangeF(0.70f, 0.78f);                 // patient's right (image left)
        _diaphragm[1] = _diaphragm[0] + random.RangeF(0.0f, 0.035f);   // left hemidiaphragm sits lower
        _domeHeight[0] = random.RangeF(0.05f, 0.09f);
        _domeHeight[1] = random.RangeF(0.05f, 0.09f);
        _heartTop = random.RangeF(0.44f, 0.5f);
        _heartLeft = random.RangeF(0.1f, 0.14f);
        _atriumTop = _heartTop + random.RangeF(0.03f, 0.06f);
        _atriumRight = random.RangeF(0.02f, 0.045f);
        _knobY = _apexY + random.RangeF(0.15f, 0.19f);
        _knobBulge = random.RangeF(0.02f, 0.035f);
        _softDensity = random.RangeF(0.8f, 0.95f);
        _airDensity = random.RangeF(0.55f, 0.68f);
        _carinaY = _apexY + random.RangeF(0.17f, 0.21f);
        _gastricBubble = random.Chance(0.7);
        _bubbleX = _cx + random.RangeF(0.12f, 0.2f);
        _bubbleY = _diaphragm[1] + random.RangeF(0.04f, 0.08f);
    }

    public float ApexY => _apexY;
    public float CentreX => _cx;

    /// <summary>Lowest point of the diaphragm dome's middle for a side (0 = image left, 1 = image right).</summary>
    public float DiaphragmTop(int side) => _diaphragm[side] - _domeHeight[side];

    /// <summary>Half-width of the rib cage at a height.</summary>
    public float LateralHalf(float y)
    {
        var t = Math.Clamp((y - _apexY) / 0.42f, 0f, 1f);
        return _thoraxHalf * (0.42f + (0.58f * MathF.Sqrt(t)));
    }

    private float DiaphragmY(float x, int side)
    {
        var sign = side == 0 ? -1 : 1;
        var domeCx = _cx + (sign * _thoraxHalf * 0.42f);
        var d = (x - domeCx) / (_thoraxHalf * 0.62f);
        return _diaphragm[side] - (_domeHeight[side] * Math.Max(0f, 1f - (d * d)));
    }

    /// <summary>
    /// The cardiomediastinal silhouette: a central column whose right border bulges with the right
    /// atrium and whose left border carries the aortic knob and the left ventricle down to the diaphragm.
    /// </summary>
    public float HeartMask(float x, float y)
    {
        var knob = _knobBulge * MathF.Exp(-MathF.Pow((y - _knobY) / 0.03f, 2));
        var tl = Math.Clamp((y - _heartTop) / (_diaphragm[1] - _heartTop), 0f, 1f);
        var ventricle = _heartLeft * MathF.Sin(MathF.Min(1f, tl / 0.8f) * MathF.PI / 2);
        var tr = Math.Clamp((y - _atriumTop) / (_diaphragm[0] - _atriumTop), 0f, 1f);
        var atrium = _atriumRight * MathF.Sqrt(MathF.Sin(MathF.Min(1f, tr) * MathF.PI * 0.85f));
        var left = _cx + _medHalf + Math.Max(knob, ventricle);
        var right = _cx - _medHalf - atrium;
        return Shapes.Inside(x - left, 0.006f) * Shapes.Inside(right - x, 0.006f) * Shapes.SmoothStep(_apexY - 0.15f, _apexY - 0.1f, y);
    }

    private bool IsHeart(float y) => y > _heartTop;

    /// <summary>0..1 membership of the lung fields (soft at the edges); <paramref name="side"/> -1 either lung.</summary>
    public float LungMask(float x, float y, int side = -1)
    {
        var s = x < _cx ? 0 : 1;
        if (side >= 0 && side != s)
        {
            return 0f;
        }
        var sign = s == 0 ? -1 : 1;
        var dxc = (x - _cx) * sign;
        const float soft = 0.007f;
        var lateral = Shapes.Inside(dxc - LateralHalf(y), soft);
        var lungCx = _thoraxHalf * 0.5f;
        var apexY = _apexY + (1.6f * (dxc - lungCx) * (dxc - lungCx));
        var apex = Shapes.Inside(apexY - y, soft);
        var diaphragm = Shapes.Inside(y - DiaphragmY(x, s), soft);
        return lateral * apex * diaphragm * (1f - HeartMask(x, y));
    }

    /// <summary>Lung membership of every pixel of the canvas (set by <see cref="Paint"/>).</summary>
    public float[] LungMap { get; private set; } = [];

    public void Paint(PhantomCanvas canvas)
    {
        LungMap = new float[canvas.Density.Length];
        for (var p = 0; p < LungMap.Length; p++)
        {
            LungMap[p] = LungMask(canvas.X[p], canvas.Y[p]);
            canvas.Density[p] += Body(canvas.X[p], canvas.Y[p], LungMap[p]);
        }
        PaintMediastinumAndAirways(canvas);
        PaintSpine(canvas);
        PaintRibs(canvas);
        PaintShoulderGirdle(canvas);
        PaintVessels(canvas);
    }

    private float BodyHalf(float y)
    {
        // Neck, widening through the shoulders to the torso.
        var shoulder = Shapes.SmoothStep(_apexY - 0.09f, _apexY + 0.02f, y);
        return 0.09f + ((_bodyHalf + 0.03f - 0.09f) * shoulder) - (0.03f * Shapes.SmoothStep(_apexY + 0.1f, 0.6f, y));
    }

    private float Body(float x, float y, float lung)
    {
        var half = BodyHalf(y);
        var d = (x - _cx) / half;
        if (d * d >= 1)
        {
            return 0f;
        }
        // Chord length through a cylinder: soft tissue thins towards the skin line.
        var chord = MathF.Sqrt(1 - (d * d));
        var tissue = _softDensity * (0.35f + (0.65f * chord));
        var heart = IsHeart(y) ? HeartMask(x, y) : 0f;
        var bubble = 0f;
        if (_gastricBubble)
        {
            float bx = (x - _bubbleX) / 0.045f, by = (y - _bubbleY) / 0.025f;
            bubble = 0.22f * Shapes.Inside(MathF.Sqrt((bx * bx) + (by * by)) - 1, 0.3f) * Shapes.SmoothStep(_bubbleY - 0.03f, _bubbleY, y);
        }
        // Lungs are thickest at mid-height; apices and bases overlap more soft tissue.
        var t = Math.Clamp((y - _apexY) / (_diaphragm[0] - _apexY), 0f, 1f);
        var depth = 0.72f + (0.28f * MathF.Sin(MathF.PI * MathF.Pow(t, 0.8f)));
        return tissue - (_airDensity * lung * depth * (0.8f + (0.2f * chord))) + (0.06f * heart) - bubble;
    }

    private void PaintMediastinumAndAirways(PhantomCanvas canvas)
    {
        // Trachea and main bronchi: air columns through the mediastinum.
        canvas.AddTube([(_cx, _apexY - 0.12f), (_cx, _carinaY)], 0.012f, 0.011f, -0.16f);
        canvas.AddTube([(_cx, _carinaY), (_cx - 0.05f, _carinaY + 0.05f), (_cx - 0.07f, _carinaY + 0.09f)], 0.009f, 0.006f, -0.12f);
        canvas.AddTube([(_cx, _carinaY), (_cx + 0.055f, _carinaY + 0.06f), (_cx + 0.075f, _carinaY + 0.1f)], 0.009f, 0.006f, -0.12f);
    }

    private void PaintSpine(PhantomCanvas canvas)
    {
        var half = 0.032f;
        var period = _random.RangeF(0.038f, 0.046f);
        var phase = _random.RangeF(0f, period);
        canvas.Add((x, y) =>
        {
            var d = Math.Abs(x - _cx);
            if (d > half + 0.01f || y < _apexY - 0.14f)
            {
                return 0f;
            }
            var column = Shapes.Inside(d - half, 0.004f);
            var k = ((y - phase) / period) - MathF.Floor((y - phase) / period);
            // Bright end plates, darker discs, pedicles as two ovals per vertebra.
            var plate = 0.75f + (0.25f * MathF.Cos(k * 2 * MathF.PI));
            var disc = 1f - (0.45f * Shapes.Inside(MathF.Abs(k - 0.92f) - 0.05f, 0.02f));
            float px = (d - (half * 0.7f)) / 0.008f, py = (k - 0.35f) / 0.18f;
            var pedicle = 0.12f * Shapes.Inside(MathF.Sqrt((px * px) + (py * py)) - 1, 0.3f);
            return column * ((0.2f * plate * disc) + pedicle);
        });
    }

    private void PaintRibs(PhantomCanvas canvas)
    {
        var lungBottom = (_diaphragm[0] + _diaphragm[1]) / 2;
        var spacing = (lungBottom - _apexY) / 8.2f;
        var tilt = _random.RangeF(0.08f, 0.12f);
        for (var side = 0; side < 2; side++)
        {
            var sign = side == 0 ? -1f : 1f;
            for (var k = 0; k < 9; k++)
            {
                var y0 = _apexY - 0.035f + (k * spacing) + _random.RangeF(-0.004f, 0.004f);
                var posterior = new (float, float)[12];
                for (var i = 0; i < posterior.Length; i++)
                {
                    var t = i / (float)(posterior.Length - 1);
                    var y = y0 - (0.02f * MathF.Sin(MathF.PI * t * 0.8f)) + ((tilt + (0.006f * k)) * t * t);
                    var reach = LateralHalf(y) + 0.012f;
                    posterior[i] = (_cx + (sign * (0.035f + (t * (reach - 0.035f)))), y);
                }
                var width = 0.009f + (0.0006f * k);
                canvas.AddTube(posterior, width, width * 1.15f, 0.09f, rim: 0.6f);
                // Anterior rib: from the lateral wall down and inwards to the costal cartilage.
                var (ex, ey) = posterior[^1];
                var anterior = new (float, float)[6];
                for (var i = 0; i < anterior.Length; i++)
                {
                    var t = i / (float)(anterior.Length - 1);
                    var x = ex - (sign * t * (LateralHalf(ey) - 0.1f));
                    var y = ey - 0.01f + (0.13f * t) - (0.03f * MathF.Sin(MathF.PI * t));
                    anterior[i] = (x, y);
                }
                canvas.AddTube(anterior, width * 1.1f, width * 0.8f, 0.04f, rim: 0.3f);
            }
        }
    }

    private void PaintShoulderGirdle(PhantomCanvas canvas)
    {
        for (var side = 0; side < 2; side++)
        {
            var sign = side == 0 ? -1f : 1f;
            var clavicle = new (float, float)[8];
            var lift = _random.RangeF(0.03f, 0.07f);
            for (var i = 0; i < clavicle.Length; i++)
            {
                var t = i / (float)(clavicle.Length - 1);
                var x = _cx + (sign * (0.035f + (t * (_thoraxHalf + 0.01f))));
                var y = _apexY + 0.04f - (lift * t) + (0.012f * MathF.Sin(2 * MathF.PI * t));
                clavicle[i] = (x, y);
            }
            canvas.AddTube(clavicle, 0.012f, 0.01f, 0.22f, rim: 0.5f);
            // Humeral head and the scapula's lateral border at the top corners.
            float hx = _cx + (sign * (_thoraxHalf + 0.065f)), hy = _apexY + 0.02f;
            canvas.Add((x, y) =>
            {
                float dx = x - hx, dy = y - hy;
                var r = MathF.Sqrt((dx * dx) + (dy * dy));
                return 0.22f * Shapes.Inside(r - 0.055f, 0.004f) * (0.7f + (0.3f * (r / 0.055f)));
            });
            canvas.AddTube([(hx - (sign * 0.04f), hy + 0.04f), (_cx + (sign * (_thoraxHalf - 0.02f)), _apexY + 0.3f)], 0.006f, 0.003f, 0.07f);
        }
    }

    private void PaintVessels(PhantomCanvas canvas)
    {
        for (var side = 0; side < 2; side++)
        {
            var sign = side == 0 ? -1f : 1f;
            float hx = _cx + (sign * 0.085f), hy = _carinaY + 0.07f;
            // The hilum: pulmonary arteries and veins seen end-on and in profile.
            canvas.Add((x, y) =>
            {
                float dx = (x - hx) / 0.03f, dy = (y - hy) / 0.05f;
                return 0.1f * Shapes.Inside(MathF.Sqrt((dx * dx) + (dy * dy)) - 1, 0.4f);
            });
            var branches = _random.Next(12, 18);
            for (var b = 0; b < branches; b++)
            {
                var angle = (float)(_random.Range(-1.25, 1.35) + (Math.PI / 2)); // fan from upwards to downwards
                var length = _random.RangeF(0.12f, 0.26f);
                var points = new (float, float)[7];
                float x = hx, y = hy;
                for (var i = 0; i < points.Length; i++)
                {
                    points[i] = (x, y);
                    angle += _random.RangeF(-0.18f, 0.18f);
                    x += sign * MathF.Sin(angle) * length / (points.Length - 1);
                    y -= MathF.Cos(angle) * length / (points.Length - 1);
                }
                canvas.AddTube(points, 0.005f, 0.0012f, 0.05f, weight: LungMap);
                // One side branch from the middle of each vessel.
                var (mx, my) = points[points.Length / 2];
                var branchAngle = angle + _random.RangeF(-0.9f, 0.9f);
                var branchLength = length * _random.RangeF(0.3f, 0.5f);
                canvas.AddTube([(mx, my), (mx + (sign * MathF.Sin(branchAngle) * branchLength), my - (MathF.Cos(branchAngle) * branchLength))], 0.0028f, 0.001f, 0.04f, weight: LungMap);
            }
        }
    }
}
