namespace EdgeAgent.Onnx.Tests;

/// <summary>Error bounds for float32 arithmetic, so tolerances follow from the computation instead of from a passing run.</summary>
internal static class FloatBounds
{
    /// <summary>Unit roundoff of float32 (round to nearest): 2^-24.</summary>
    public const double UnitRoundoff = 1.0 / (1 << 24);

    /// <summary>
    /// Worst-case error of a float32 sum of <paramref name="terms"/> products, in any order and with or
    /// without FMA: γ_(n+1) · Σ|products| with γ_k ≈ k·u (Higham, Accuracy and Stability, §3.1), plus one
    /// ulp of the result for the final rounding. The inputs are exact floats, so there is no input error.
    /// </summary>
    public static double DotProduct(int terms, double absoluteSum) =>
        ((terms + 2) * UnitRoundoff * absoluteSum) + 1e-30;
}
