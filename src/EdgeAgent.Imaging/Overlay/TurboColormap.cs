namespace EdgeAgent.Imaging.Overlay;

/// <summary>
/// The Turbo colormap (dark blue → cyan → green → yellow → red → dark red) as a degree-5
/// polynomial per channel fitted to the published table; perceptually ordered, readable by
/// most colour-blind viewers, and free of the false bands of "jet".
/// </summary>
public static class TurboColormap
{
    private static readonly double[] Red = [0.13572138, 4.61539260, -42.66032258, 132.13108234, -152.94239396, 59.28637943];
    private static readonly double[] Green = [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604];
    private static readonly double[] Blue = [0.10667330, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973];

    /// <summary>
    /// Entries in <see cref="Table"/>. Rounding the input to the nearest 1/4095 moves it by at most
    /// 1/8190; the steepest channel (blue near 0) changes by at most 12.7 x 255 per unit input, so a
    /// looked-up channel is within 0.4 of a level of the polynomial: the same byte or one off.
    /// </summary>
    internal const int TableSize = 4096;

    /// <summary>
    /// <see cref="Map"/> sampled at i / (TableSize - 1), as R, G, B bytes per entry: the overlay looks
    /// colours up per pixel instead of evaluating three double polynomials millions of times.
    /// </summary>
    internal static ReadOnlySpan<byte> Table => LookupTable;

    private static readonly byte[] LookupTable = BuildTable();

    /// <summary>Colour of <paramref name="value"/> in [0, 1] (clamped) as bytes.</summary>
    public static (byte R, byte G, byte B) Map(double value)
    {
        var x = Math.Clamp(value, 0, 1);
        return (ToByte(Evaluate(Red, x)), ToByte(Evaluate(Green, x)), ToByte(Evaluate(Blue, x)));
    }

    private static byte[] BuildTable()
    {
        var table = new byte[TableSize * 3];
        for (var i = 0; i < TableSize; i++)
        {
            (table[i * 3], table[(i * 3) + 1], table[(i * 3) + 2]) = Map(i / (double)(TableSize - 1));
        }
        return table;
    }

    private static double Evaluate(double[] c, double x) => c[0] + (x * (c[1] + (x * (c[2] + (x * (c[3] + (x * (c[4] + (x * c[5])))))))));

    private static byte ToByte(double v) => (byte)Math.Round(Math.Clamp(v, 0, 1) * 255);
}
