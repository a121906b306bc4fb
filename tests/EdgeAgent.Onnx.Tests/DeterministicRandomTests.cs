using EdgeAgent.Onnx.Graph;

namespace EdgeAgent.Onnx.Tests;

public sealed class DeterministicRandomTests
{
    [Theory]
    // Reference values from an independent Python implementation of SplitMix64 seeding + xoshiro256**
    // (Blackman & Vigna). Pinning them means a change to the generator, which would silently change every
    // fixture's weights, fails here first.
    [InlineData(0UL, 0x99ec5f36cb75f2b4UL, 0xbf6e1f784956452aUL, 0x1a5f849d4933e6e0UL)]
    [InlineData(42UL, 0x15780b2e0c2ec716UL, 0x6104d9866d113a7eUL, 0xae17533239e499a1UL)]
    public void Produces_the_reference_xoshiro256starstar_stream(ulong seed, ulong first, ulong second, ulong third)
    {
        var random = new DeterministicRandom(seed);
        Assert.Equal([first, second, third], new[] { random.NextUInt64(), random.NextUInt64(), random.NextUInt64() });
    }

    [Fact]
    public void Uniform_and_normal_draws_have_the_right_range_and_moments()
    {
        const int n = 200_000;
        var random = new DeterministicRandom(7);
        double sum = 0, sumSquares = 0, uniformSum = 0;
        for (var i = 0; i < n; i++)
        {
            var u = random.NextDouble();
            Assert.InRange(u, 0.0, 1.0 - 1e-17);
            uniformSum += u;
            var z = random.NextNormal();
            sum += z;
            sumSquares += z * z;
        }

        // Five standard errors: σ/√n for the means (σ = 1/√12 for uniform, 1 for normal) and √(2/n) for the variance.
        Assert.Equal(0.5, uniformSum / n, 5 * Math.Sqrt(1.0 / 12 / n));
        Assert.Equal(0.0, sum / n, 5 / Math.Sqrt(n));
        Assert.Equal(1.0, (sumSquares / n) - Math.Pow(sum / n, 2), 5 * Math.Sqrt(2.0 / n));
    }

    [Fact]
    public void Uniform_arrays_stay_inside_their_limits()
    {
        var random = new DeterministicRandom(3);
        Assert.All(random.UniformArray(10_000, 0.25), v => Assert.InRange(v, -0.25f, 0.25f));
        Assert.All(random.UniformArray(10_000, 0.5, 1.5), v => Assert.InRange(v, 0.5f, 1.5f));
    }
}
