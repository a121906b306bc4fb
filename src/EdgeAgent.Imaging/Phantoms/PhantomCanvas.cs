namespace EdgeAgent.Imaging.Phantoms;

/// <summary>
/// An attenuation (density) map over the image grid. Each pixel knows where it falls in the
/// patient's frame (after a small rotation, scale and shift), so anatomy is painted in patient
/// coordinates and ground-truth masks line up with the image exactly.
/// </summary>
internal sealed class PhantomCanvas
{
    public PhantomCanvas(int size, DeterministicRandom acquisition)
    {
        Size = size;
        Density = new float[size * size];
        X = new float[size * size];
        Y = new float[size * size];
        var angle = acquisition.Range(-4, 4) * Math.PI / 180;
        var scale = acquisition.Range(0.94, 1.05);
        var shiftX = acquisition.Range(-0.025, 0.025);
        var shiftY = acquisition.Range(-0.025, 0.025);
        float cos = (float)Math.Cos(angle), sin = (float)Math.Sin(angle);
        (_cos, _sin, _scale, _shiftX, _shiftY) = (cos, sin, (float)scale, (float)shiftX, (float)shiftY);
        for (var j = 0; j < size; j++)
        {
            for (var i = 0; i < size; i++)
            {
                var u = ((i + 0.5f) / size) - 0.5f - (float)shiftX;
                var v = ((j + 0.5f) / size) - 0.5f - (float)shiftY;
                var p = (j * size) + i;
                X[p] = (float)((((cos * u) + (sin * v)) / scale) + 0.5);
                Y[p] = (float)((((-sin * u) + (cos * v)) / scale) + 0.5);
            }
        }
    }

    private readonly float _cos, _sin, _scale, _shiftX, _shiftY;

    public int Size { get; }
    /// <summary>Attenuation: 0 is air; higher is brighter on the radiograph.</summary>
    public float[] Density { get; }
    /// <summary>Patient-frame coordinates of each pixel (0..1 across the nominal field).</summary>
    public float[] X { get; }
    public float[] Y { get; }

    /// <summary>Adds a field evaluated in patient coordinates.</summary>
    public void Add(Func<float, float, float> field)
    {
        for (var p = 0; p < Density.Length; p++)
        {
            Density[p] += field(X[p], Y[p]);
        }
    }

    /// <summary>The pixel rectangle (inclusive) that covers a box in patient coordinates.</summary>
    public (int I0, int I1, int J0, int J1) PixelBounds(float minX, float minY, float maxX, float maxY)
    {
        float i0 = float.MaxValue, i1 = float.MinValue, j0 = float.MaxValue, j1 = float.MinValue;
        foreach (var (x, y) in new[] { (minX, minY), (maxX, minY), (minX, maxY), (maxX, maxY) })
        {
            float a = (x - 0.5f) * _scale, b = (y - 0.5f) * _scale;
            float u = (_cos * a) - (_sin * b), v = (_sin * a) + (_cos * b);
            float i = ((u + 0.5f + _shiftX) * Size) - 0.5f, j = ((v + 0.5f + _shiftY) * Size) - 0.5f;
            (i0, i1, j0, j1) = (Math.Min(i0, i), Math.Max(i1, i), Math.Min(j0, j), Math.Max(j1, j));
        }
        return (Math.Max(0, (int)MathF.Floor(i0) - 1), Math.Min(Size - 1, (int)MathF.Ceiling(i1) + 1),
                Math.Max(0, (int)MathF.Floor(j0) - 1), Math.Min(Size - 1, (int)MathF.Ceiling(j1) + 1));
    }

    /// <summary>
    /// Adds a tube along a polyline (a rib, a vessel, a bone): half-width tapers from start to end;
    /// the cross-section is brighter at the rim when <paramref name="rim"/> &gt; 0 (cortical bone).
    /// <paramref name="weight"/> (optional) scales the contribution per pixel (e.g. only inside the lungs).
    /// </summary>
    public void AddTube((float X, float Y)[] points, float halfStart, float halfEnd, float density, float rim = 0, float[]? weight = null)
    {
        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
        foreach (var (x, y) in points)
        {
            minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
            minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
        }
        var pad = Math.Max(halfStart, halfEnd) * 1.5f;
        var soft = 0.6f / Size;
        var (i0, i1, j0, j1) = PixelBounds(minX - pad, minY - pad, maxX + pad, maxY + pad);
        for (var j = j0; j <= j1; j++)
        {
            for (var i = i0; i <= i1; i++)
            {
                AddTubePixel((j * Size) + i, points, halfStart, halfEnd, density, rim, weight, soft);
            }
        }
    }

    private void AddTubePixel(int p, (float X, float Y)[] points, float halfStart, float halfEnd, float density, float rim, float[]? weight, float soft)
    {
        {
            float px = X[p], py = Y[p];
            var d = Shapes.PolylineDistance(px, py, points, out var along);
            var half = halfStart + ((halfEnd - halfStart) * along);
            if (d > half + soft)
            {
                return;
            }
            var edge = Shapes.Inside(d - half, soft);
            var r = Math.Min(d / half, 1f);
            var profile = (1 - rim) + (rim * r * r * 1.6f);
            var w = weight?[p] ?? 1f;
            Density[p] += density * edge * profile * w;
        }
    }
}
