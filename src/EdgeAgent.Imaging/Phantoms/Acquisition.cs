namespace EdgeAgent.Imaging.Phantoms;

/// <summary>
/// How the "detector" turns attenuation into a radiograph: exposure curve, blur, quantum noise and
/// collimator borders. Drawn from its own random stream, never from the class, so no class can be
/// told apart by exposure, noise or borders.
/// </summary>
internal sealed class Acquisition
{
    private readonly float _gain, _gamma, _noise, _lift;
    private readonly int _borderKind;
    private readonly float _borderLeft, _borderRight, _borderTop, _borderBottom;

    public Acquisition(DeterministicRandom random)
    {
        _gain = random.RangeF(1.15f, 1.6f);
        _gamma = random.RangeF(0.8f, 1.2f);
        _lift = random.RangeF(0f, 12f);
        _noise = random.RangeF(1.5f, 5f);
        _borderKind = random.Next(0, 3); // none, dark shutter, bright shutter
        _borderLeft = random.RangeF(0f, 0.035f);
        _borderRight = random.RangeF(0f, 0.035f);
        _borderTop = random.RangeF(0f, 0.035f);
        _borderBottom = random.RangeF(0f, 0.035f);
    }

    public float[] Expose(PhantomCanvas canvas, DeterministicRandom noise)
    {
        var size = canvas.Size;
        var blurred = Blur(canvas.Density, size, Math.Max(1, size / 256));
        var image = new float[blurred.Length];
        for (var p = 0; p < image.Length; p++)
        {
            var d = Math.Max(blurred[p], 0f);
            var signal = MathF.Pow(1f - MathF.Exp(-_gain * d), _gamma);
            var value = _lift + ((255f - _lift) * signal);
            // Quantum noise grows with the square root of the detected signal.
            value += (float)noise.Gaussian() * _noise * MathF.Sqrt(0.3f + signal);
            image[p] = Math.Clamp(value, 0f, 255f);
        }
        if (_borderKind > 0)
        {
            var fill = _borderKind == 1 ? 4f : 245f;
            for (var j = 0; j < size; j++)
            {
                for (var i = 0; i < size; i++)
                {
                    float u = (i + 0.5f) / size, v = (j + 0.5f) / size;
                    if (u < _borderLeft || u > 1 - _borderRight || v < _borderTop || v > 1 - _borderBottom)
                    {
                        image[(j * size) + i] = fill;
                    }
                }
            }
        }
        return image;
    }

    /// <summary>Separable box blur applied twice (close to a Gaussian): the detector's unsharpness.</summary>
    private static float[] Blur(float[] source, int size, int radius)
    {
        var a = source;
        for (var pass = 0; pass < 2; pass++)
        {
            a = BoxAxis(a, size, radius, horizontal: true);
            a = BoxAxis(a, size, radius, horizontal: false);
        }
        return a;
    }

    private static float[] BoxAxis(float[] source, int size, int radius, bool horizontal)
    {
        var output = new float[source.Length];
        for (var line = 0; line < size; line++)
        {
            for (var k = 0; k < size; k++)
            {
                float sum = 0;
                var count = 0;
                for (var o = -radius; o <= radius; o++)
                {
                    var q = Math.Clamp(k + o, 0, size - 1);
                    sum += horizontal ? source[(line * size) + q] : source[(q * size) + line];
                    count++;
                }
                output[horizontal ? (line * size) + k : (k * size) + line] = sum / count;
            }
        }
        return output;
    }
}
