namespace EdgeAgent.Imaging.Phantoms;

/// <summary>
/// xoshiro256** seeded through SplitMix64: the same seed gives the same sequence on every platform
/// and .NET version (System.Random makes no such promise).
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareGaussian;

    public DeterministicRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>An independent stream derived from a seed and a stream name (e.g. "anatomy", "lesion").</summary>
    public static DeterministicRandom ForStream(ulong seed, string stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var h = 1469598103934665603UL; // FNV-1a over the name, mixed with the seed
        foreach (var ch in stream)
        {
            h = (h ^ ch) * 1099511628211UL;
        }
        var mixed = seed ^ h;
        return new DeterministicRandom(SplitMix(ref mixed));
    }

    public static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Range(double min, double max) => min + ((max - min) * NextDouble());

    public float RangeF(float min, float max) => (float)Range(min, max);

    /// <summary>Uniform integer in [min, max).</summary>
    public int Next(int min, int max) => min + (int)(NextDouble() * (max - min));

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Standard normal (Box-Muller, both values used).</summary>
    public double Gaussian()
    {
        if (_spareGaussian is { } spare)
        {
            _spareGaussian = null;
            return spare;
        }
        double u1;
        do
        {
            u1 = NextDouble();
        }
        while (u1 <= double.Epsilon);
        var u2 = NextDouble();
        var r = Math.Sqrt(-2 * Math.Log(u1));
        _spareGaussian = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
