namespace EdgeAgent.Imaging.Phantoms;

/// <summary>Smooth fractal noise from a hashed lattice: patchy textures for opacities and soft tissue.</summary>
internal sealed class ValueNoise
{
    private readonly ulong _seed;

    public ValueNoise(ulong seed) => _seed = seed;

    private float Lattice(int x, int y)
    {
        var h = _seed ^ ((ulong)(uint)x * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)y * 0xC2B2AE3D27D4EB4FUL);
        return (DeterministicRandom.SplitMix(ref h) >> 40) / (float)(1 << 24);
    }

    /// <summary>Value noise in [0, 1] at a point, smooth between lattice cells.</summary>
    public float Sample(float x, float y)
    {
        int xi = (int)MathF.Floor(x), yi = (int)MathF.Floor(y);
        float fx = x - xi, fy = y - yi;
        fx = fx * fx * (3 - (2 * fx));
        fy = fy * fy * (3 - (2 * fy));
        var a = Lattice(xi, yi) + ((Lattice(xi + 1, yi) - Lattice(xi, yi)) * fx);
        var b = Lattice(xi, yi + 1) + ((Lattice(xi + 1, yi + 1) - Lattice(xi, yi + 1)) * fx);
        return a + ((b - a) * fy);
    }

    /// <summary>Sum of octaves, normalised to about [0, 1].</summary>
    public float Fractal(float x, float y, int octaves)
    {
        float sum = 0, amplitude = 1, total = 0, frequency = 1;
        for (var o = 0; o < octaves; o++)
        {
            sum += Sample(x * frequency, y * frequency) * amplitude;
            total += amplitude;
            amplitude *= 0.5f;
            frequency *= 2.03f;
        }
        return sum / total;
    }
}
