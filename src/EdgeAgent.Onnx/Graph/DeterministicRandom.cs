using System.Numerics;

namespace EdgeAgent.Onnx.Graph;

/// <summary>
/// xoshiro256** seeded through SplitMix64: the same seed gives the same stream on every
/// platform and .NET version (System.Random's algorithm is an implementation detail and may change).
/// </summary>
public sealed class DeterministicRandom
{
    private ulong s0;
    private ulong s1;
    private ulong s2;
    private ulong s3;
    private double? spareNormal;

    public DeterministicRandom(ulong seed)
    {
        // SplitMix64 spreads any seed (including 0) over the four state words, never all zero.
        var x = seed;
        s0 = SplitMix64(ref x);
        s1 = SplitMix64(ref x);
        s2 = SplitMix64(ref x);
        s3 = SplitMix64(ref x);
    }

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = BitOperations.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [low, high).</summary>
    public double NextUniform(double low, double high) => low + ((high - low) * NextDouble());

    /// <summary>Standard normal by the Box–Muller transform (the spare value is kept for the next call).</summary>
    public double NextNormal()
    {
        if (spareNormal is { } spare)
        {
            spareNormal = null;
            return spare;
        }

        double u1;
        do
        {
            u1 = NextDouble();
        }
        while (u1 <= double.Epsilon);

        var u2 = NextDouble();
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        var angle = 2.0 * Math.PI * u2;
        spareNormal = radius * Math.Sin(angle);
        return radius * Math.Cos(angle);
    }

    /// <summary>Fills <paramref name="count"/> values uniform in [-limit, limit).</summary>
    public float[] UniformArray(int count, double limit)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)NextUniform(-limit, limit);
        }

        return values;
    }

    /// <summary>Fills <paramref name="count"/> values uniform in [low, high).</summary>
    public float[] UniformArray(int count, double low, double high)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)NextUniform(low, high);
        }

        return values;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
