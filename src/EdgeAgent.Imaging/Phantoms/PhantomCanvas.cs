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

    /// <summary>
    /// Adds a tube along a polyline (a rib, a vessel, a bone): half-width tapers from start to end;
    /// the cross-section is brighter at the rim when <paramref name="rim"/> &gt; 0 (cortical bone).
    /// <paramref name="weight"/> (optional) scales the contribution per point (e.g. only inside the lungs).
    /// </summary>
    public void AddTube((float X, float Y)[] points, float halfStart, float halfEnd, float density, float rim = 0, Func<float, float, float>? weight = null, float[]? target = null)
    {
        target ??= Density;
        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
        foreach (var (x, y) in points)
        {
            minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
            minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
        }
        var pad = Math.Max(halfStart, halfEnd) * 1.5f;
        var soft = 0.6f / Size;
        for (var p = 0; p < Density.Length; p++)
        {
            float px = X[p], py = Y[p];
            if (px < minX - pad || px > maxX + pad || py < minY - pad || py > maxY + pad)
            {
                continue;
            }
            var d = Shapes.PolylineDistance(px, py, points, out var along);
            var half = halfStart + ((halfEnd - halfStart) * along);
            if (d > half + soft)
            {
                continue;
            }
            var edge = Shapes.Inside(d - half, soft);
            var r = Math.Min(d / half, 1f);
            var profile = (1 - rim) + (rim * r * r * 1.6f);
            var w = weight?.Invoke(px, py) ?? 1f;
            target[p] += density * edge * profile * w;
        }
    }
}
