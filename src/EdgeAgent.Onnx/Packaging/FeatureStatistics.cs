using System.Buffers.Binary;

namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// Class-conditional means and a tied covariance of pooled target-layer features, for the Mahalanobis OOD score
/// (Lee et al. 2018). The covariance is stored in a compact, well-conditioned form: its <see cref="Rank"/> leading
/// eigenvectors with their eigenvalues, and one residual variance for every other direction (the probabilistic-PCA
/// form). Its inverse is then exact and cheap: P = I/σ² + Σ_i v_i v_iᵀ (1/λ_i − 1/σ²). A 512-feature model with
/// 64 components is about 140 KB instead of the 1 MB of a full 512×512 float precision matrix.
/// </summary>
/// <remarks>
/// File layout (little-endian): "EAFS", int32 version 1, int32 classes K, int32 dimensions D, int32 rank R,
/// float64 residual variance, float64[R] eigenvalues, float32[K·D] class means, float32[R·D] eigenvectors (rows).
/// Training (threshold fitting) and the agent (scoring) both call <see cref="NearestClassDistance"/>, so they agree.
/// </remarks>
public sealed class FeatureStatistics
{
    private static ReadOnlySpan<byte> Magic => "EAFS"u8;
    private const int FormatVersion = 1;
    private const int HeaderBytes = 4 + (4 * 4) + 8;

    /// <summary>Bounds that keep a damaged header from asking for gigabytes.</summary>
    public const int MaxDimensions = 65536, MaxClasses = 10000;

    public FeatureStatistics(float[][] classMeans, float[][] components, double[] variances, double residualVariance)
    {
        ArgumentNullException.ThrowIfNull(classMeans);
        ArgumentNullException.ThrowIfNull(components);
        ArgumentNullException.ThrowIfNull(variances);
        if (classMeans.Length is < 1 or > MaxClasses)
        {
            throw new ArgumentException($"need 1..{MaxClasses} class means (got {classMeans.Length})", nameof(classMeans));
        }

        var d = classMeans[0].Length;
        if (d is < 1 or > MaxDimensions || classMeans.Any(m => m.Length != d))
        {
            throw new ArgumentException($"every class mean must have the same 1..{MaxDimensions} dimensions", nameof(classMeans));
        }

        if (components.Length != variances.Length || components.Length > d || components.Any(v => v.Length != d))
        {
            throw new ArgumentException($"need one eigenvalue per component and at most {d} components of {d} values", nameof(components));
        }

        if (!(residualVariance > 0) || !double.IsFinite(residualVariance) || variances.Any(v => !(v > 0) || !double.IsFinite(v)))
        {
            throw new ArgumentException("variances must be positive and finite", nameof(variances));
        }

        if (classMeans.Any(m => m.Any(x => !float.IsFinite(x))) || components.Any(v => v.Any(x => !float.IsFinite(x))))
        {
            throw new ArgumentException("class means and components must be finite", nameof(classMeans));
        }

        ClassMeans = classMeans;
        Components = components;
        Variances = variances;
        ResidualVariance = residualVariance;
    }

    public int Classes => ClassMeans.Count;

    public int Dimensions => ClassMeans[0].Length;

    public int Rank => Components.Count;

    public IReadOnlyList<float[]> ClassMeans { get; }

    /// <summary>Orthonormal leading eigenvectors of the tied covariance.</summary>
    public IReadOnlyList<float[]> Components { get; }

    /// <summary>Eigenvalues belonging to <see cref="Components"/>.</summary>
    public IReadOnlyList<double> Variances { get; }

    /// <summary>Variance assumed along every direction outside the components.</summary>
    public double ResidualVariance { get; }

    /// <summary>Mahalanobis distance (not squared) from the features to the nearest class mean; NaN for non-finite features.</summary>
    public double NearestClassDistance(ReadOnlySpan<float> features)
    {
        if (features.Length != Dimensions)
        {
            throw new ArgumentException($"features have {features.Length} values; the statistics have {Dimensions} dimensions", nameof(features));
        }

        var best = double.PositiveInfinity;
        var centred = new double[Dimensions];
        for (var k = 0; k < Classes; k++)
        {
            var mean = ClassMeans[k];
            double norm = 0;
            for (var j = 0; j < centred.Length; j++)
            {
                centred[j] = features[j] - mean[j];
                norm += centred[j] * centred[j];
            }

            var squared = norm / ResidualVariance;
            for (var i = 0; i < Rank; i++)
            {
                var v = Components[i];
                double projection = 0;
                for (var j = 0; j < centred.Length; j++)
                {
                    projection += v[j] * centred[j];
                }

                squared += projection * projection * ((1.0 / Variances[i]) - (1.0 / ResidualVariance));
            }

            if (double.IsNaN(squared))
            {
                return double.NaN;
            }

            best = Math.Min(best, squared);
        }

        // Rounding can leave a tiny negative square when the features sit on a mean.
        return Math.Sqrt(Math.Max(best, 0));
    }

    public byte[] ToBytes()
    {
        var d = Dimensions;
        var bytes = new byte[HeaderBytes + (8 * Rank) + (4 * d * (Classes + Rank))];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Classes);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], d);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], Rank);
        BinaryPrimitives.WriteDoubleLittleEndian(span[20..], ResidualVariance);
        var at = HeaderBytes;
        foreach (var v in Variances)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(span[at..], v);
            at += 8;
        }

        foreach (var row in ClassMeans.Concat(Components))
        {
            foreach (var x in row)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[at..], x);
                at += 4;
            }
        }

        return bytes;
    }

    /// <summary>Parses the file format; <paramref name="name"/> is used in error messages.</summary>
    public static FeatureStatistics Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < HeaderBytes || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{name} is not a feature-statistics file (no EAFS header)");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"{name} has format version {version}; this agent reads version {FormatVersion}");
        }

        var classes = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var d = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        var rank = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        if (classes is < 1 or > MaxClasses || d is < 1 or > MaxDimensions || rank < 0 || rank > d)
        {
            throw new InvalidDataException($"{name} has an invalid header (classes {classes}, dimensions {d}, rank {rank})");
        }

        var expected = HeaderBytes + (8L * rank) + (4L * d * (classes + rank));
        if (bytes.Length != expected)
        {
            throw new InvalidDataException($"{name} has {bytes.Length} bytes; its header (classes {classes}, dimensions {d}, rank {rank}) needs {expected}");
        }

        var residual = BinaryPrimitives.ReadDoubleLittleEndian(bytes[20..]);
        var at = HeaderBytes;
        var variances = new double[rank];
        for (var i = 0; i < rank; i++, at += 8)
        {
            variances[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[at..]);
        }

        var means = new float[classes][];
        for (var k = 0; k < classes; k++)
        {
            means[k] = ReadRow(bytes, ref at, d);
        }

        var components = new float[rank][];
        for (var i = 0; i < rank; i++)
        {
            components[i] = ReadRow(bytes, ref at, d);
        }

        try
        {
            return new FeatureStatistics(means, components, variances, residual);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{name}: {ex.Message}", ex);
        }
    }

    private static float[] ReadRow(ReadOnlySpan<byte> bytes, ref int at, int length)
    {
        var row = new float[length];
        for (var j = 0; j < length; j++, at += 4)
        {
            row[j] = BinaryPrimitives.ReadSingleLittleEndian(bytes[at..]);
        }

        return row;
    }
}
