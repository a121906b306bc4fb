using EdgeAgent.Onnx.Graph;
using Onnx;

namespace EdgeAgent.Onnx.GradCam;

/// <summary>
/// The backward product g · M of a dense layer (g [rows, outCols] the output gradient, M [outCols, inner] the
/// weight as the backward pass reads it) computed from int8 copies of M made offline, for weights so large that
/// reading their float32 values from memory is what the product costs.
/// <para>
/// M = Mhi + Mlo: Mhi is M quantized per column (one scale per input feature) to 7 bits, Mlo the residual
/// quantized the same way. At run time each gradient row is split the same way, g = ghi + glo (8-bit codes, one
/// scale per row), and g · M ≈ [ghi; glo] · Mhi + ghi · Mlo: two MatMulInteger ops reading 2 bytes per weight
/// instead of 4. The dropped term glo · Mlo and the residual rounding bound the error per product term by
/// ~1.1e-4 · max|g row| · max|M column| (worked out in docs/gradcam.md); measured 2e-4 relative rms on random
/// weights.
/// </para>
/// <para>
/// Without the residual copy (<see cref="BackwardWeightStorage.Int8"/>) only [ghi; glo] · Mhi is computed: one
/// MatMulInteger reading 1 byte per weight, the error then dominated by Mhi's rounding (≤ max|M column| / 126 per
/// weight).
/// </para>
/// <para>
/// Weight codes stay within ±63 (7 bits) because x64 CPUs without VNNI multiply uint8 × int8 pairs with a
/// saturating 16-bit add (ONNX Runtime's "reduce_range" caveat): 255 · 63 · 2 &lt; 32767 never saturates.
/// </para>
/// </summary>
internal sealed class Int8BackwardProduct(
    GradientGraphEmitter emitter, IReadOnlyDictionary<string, TensorProto> initializers, long minElements, bool withResidual)
{
    private const int WeightLevels = 63;
    private const float GradientLevels = 127f;

    // Rows whose largest magnitude is below this are zero for every purpose here; the floor keeps the scale a
    // normal float so that g / scale stays finite.
    private const float ScaleFloor = 1e-30f;

    private readonly Dictionary<(string, bool), (string Hi, string? Lo, string HiScale, string? LoScale, long Inner)> _copies = [];

    /// <summary>Number of weight matrices given an int8 copy.</summary>
    public int Copies => _copies.Count;

    /// <summary>
    /// alpha · g2 · M as float [rows, inner], where M = weight (transposed = false: weight is [outCols, inner]) or
    /// weightᵀ (transposed = true: weight is [inner, outCols]); null when the weight is not a large float32 initializer.
    /// </summary>
    public string? TryEmit(string g2, string weight, bool transposed, float alpha)
    {
        if (!initializers.TryGetValue(weight, out var tensor)) return null;
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float || tensor.Dims.Count != 2) return null;
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External) return null;
        if (tensor.Dims[0] * tensor.Dims[1] < minElements) return null;
        if (!_copies.TryGetValue((weight, transposed), out var copy))
            _copies[(weight, transposed)] = copy = Quantize(tensor, transposed);
        var e = emitter;
        var (hiCodes, hiScale, loCodes, loScale) = SplitRows(g2);
        var zero = e.AddInitializer(OnnxTensors.FromUInt8s("zp", [128]));
        // [ghi; glo] · Mhi, each half rescaled by its row scales, then summed
        var stacked = e.Op("MatMulInteger", [e.Concat(0, hiCodes, loCodes), copy.Hi, zero]);
        var scaledHi = e.Mul(e.Op("Cast", [stacked], Attr.Int("to", (int)TensorProto.Types.DataType.Float)), e.Concat(0, hiScale, loScale));
        var summed = e.ReduceSum(e.Reshape(scaledHi, 2, -1, copy.Inner), [0], keepDims: false);
        var result = e.Mul(summed, copy.HiScale);
        if (copy.Lo is not null)
        {
            // + ghi · Mlo
            var lo = e.Op("MatMulInteger", [hiCodes, copy.Lo, zero]);
            result = e.Add(result, e.Mul(e.Mul(e.Op("Cast", [lo], Attr.Int("to", (int)TensorProto.Types.DataType.Float)), hiScale), copy.LoScale!));
        }

        return alpha == 1f ? result : e.Mul(result, e.ScalarFloat(alpha));
    }

    /// <summary>g [rows, cols] → uint8 codes (zero point 128) and float scales [rows, 1] of g and of its residual.</summary>
    private (string HiCodes, string HiScale, string LoCodes, string LoScale) SplitRows(string g)
    {
        var e = emitter;
        var hiScale = RowScale(g);
        var hiLevels = e.Op("Round", [e.Div(g, hiScale)]);
        var residual = e.Sub(g, e.Mul(hiLevels, hiScale));
        var loScale = RowScale(residual);
        var loLevels = e.Op("Round", [e.Div(residual, loScale)]);
        return (Codes(hiLevels), hiScale, Codes(loLevels), loScale);
    }

    private string RowScale(string x)
    {
        var e = emitter;
        var max = e.ReduceMax(e.Op("Abs", [x]), [1], keepDims: true);
        return e.Div(e.Op("Max", [max, e.ScalarFloat(ScaleFloor)]), e.ScalarFloat(GradientLevels));
    }

    private string Codes(string levels) =>
        emitter.Op("Cast", [emitter.Add(levels, emitter.ScalarFloat(128f))], Attr.Int("to", (int)TensorProto.Types.DataType.Uint8));

    /// <summary>Offline: M [outCols, inner] as int8 hi (and lo) codes with per-column float scales.</summary>
    private (string Hi, string? Lo, string HiScale, string? LoScale, long Inner) Quantize(TensorProto tensor, bool transposed)
    {
        var w = OnnxTensors.ToFloats(tensor);
        var (rows, cols) = ((int)tensor.Dims[0], (int)tensor.Dims[1]);
        // M[o, i] = transposed ? W[i, o] : W[o, i]
        var (outCols, inner) = transposed ? (cols, rows) : (rows, cols);
        long At(int o, int i) => transposed ? (long)i * cols + o : (long)o * cols + i;
        var hi = new sbyte[(long)outCols * inner];
        var lo = withResidual ? new sbyte[hi.Length] : null;
        var hiScale = new float[inner];
        var loScale = new float[inner];
        Parallel.For(0, inner, i =>
        {
            var max = 0f;
            for (int o = 0; o < outCols; o++) max = Math.Max(max, Math.Abs(w[At(o, i)]));
            var sHi = max > 0 ? max / WeightLevels : 1f;
            for (int o = 0; o < outCols; o++) hi[(long)o * inner + i] = (sbyte)MathF.Round(w[At(o, i)] / sHi);
            hiScale[i] = sHi;
            if (lo is null) return;
            var residualMax = 0f;
            for (int o = 0; o < outCols; o++) residualMax = Math.Max(residualMax, Math.Abs(w[At(o, i)] - hi[(long)o * inner + i] * sHi));
            var sLo = residualMax > 0 ? residualMax / WeightLevels : 1f;
            for (int o = 0; o < outCols; o++)
            {
                var residual = w[At(o, i)] - hi[(long)o * inner + i] * sHi;
                lo[(long)o * inner + i] = (sbyte)Math.Clamp(MathF.Round(residual / sLo), -WeightLevels, WeightLevels);
            }

            loScale[i] = sLo;
        });
        return (
            emitter.AddInitializer(OnnxTensors.FromInt8s("w_hi", hi, outCols, inner)),
            lo is null ? null : emitter.AddInitializer(OnnxTensors.FromInt8s("w_lo", lo, outCols, inner)),
            emitter.AddInitializer(OnnxTensors.FromFloats("s_hi", hiScale, inner)),
            lo is null ? null : emitter.AddInitializer(OnnxTensors.FromFloats("s_lo", loScale, inner)),
            inner);
    }
}
