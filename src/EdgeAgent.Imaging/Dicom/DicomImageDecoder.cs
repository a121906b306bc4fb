using EdgeAgent.Imaging.Decoding;

namespace EdgeAgent.Imaging.Dicom;

/// <summary>
/// Turns a parsed DICOM dataset into a <see cref="DecodedImage"/>: the first frame, stored values
/// masked to Bits Stored and sign-extended, Rescale Slope/Intercept, the VOI window (first value)
/// or a min/max stretch, MONOCHROME1 inverted so bone is always bright.
/// </summary>
internal static class DicomImageDecoder
{
    public static DecodedImage Decode(byte[] data, ImageDecoderOptions options)
    {
        var ds = DicomParser.Parse(data, options.MaxFileBytes);
        var rows = ds.GetUShort(DicomTags.Rows);
        var columns = ds.GetUShort(DicomTags.Columns);
        if (!ds.Contains(DicomTags.PixelData))
        {
            throw new ImageDecodeException("DICOM file has no pixel data (7FE0,0010): it is not an image (a report, presentation state or truncated file?)");
        }
        if (rows is null or 0 || columns is null or 0)
        {
            throw new ImageDecodeException("malformed DICOM: Rows (0028,0010) or Columns (0028,0011) is missing or zero");
        }
        options.CheckSize(columns.Value, rows.Value);

        var photometric = (ds.GetString(DicomTags.PhotometricInterpretation) ?? "MONOCHROME2").ToUpperInvariant();
        var attributes = new DicomAttributes
        {
            StudyInstanceUid = ds.GetString(DicomTags.StudyInstanceUid),
            SeriesInstanceUid = ds.GetString(DicomTags.SeriesInstanceUid),
            SopInstanceUid = ds.GetString(DicomTags.SopInstanceUid),
            Modality = ds.GetString(DicomTags.Modality),
            BodyPartExamined = ds.GetString(DicomTags.BodyPartExamined),
            ViewPosition = ds.GetString(DicomTags.ViewPosition),
            PhotometricInterpretation = photometric,
            TransferSyntaxUid = ds.TransferSyntax,
        };
        var samples = ds.GetUShort(DicomTags.SamplesPerPixel) ?? 1;
        var bitsAllocated = ds.GetUShort(DicomTags.BitsAllocated)
            ?? throw new ImageDecodeException("malformed DICOM: Bits Allocated (0028,0100) is missing");
        var bitsStored = ds.GetUShort(DicomTags.BitsStored) ?? bitsAllocated;
        var signed = (ds.GetUShort(DicomTags.PixelRepresentation) ?? 0) == 1;
        if (bitsStored < 1 || bitsStored > bitsAllocated)
        {
            throw new ImageDecodeException($"malformed DICOM: Bits Stored {bitsStored} does not fit Bits Allocated {bitsAllocated}");
        }
        var highBit = ds.GetUShort(DicomTags.HighBit) ?? (bitsStored - 1);
        if (highBit >= bitsAllocated || highBit + 1 < bitsStored)
        {
            throw new ImageDecodeException($"malformed DICOM: High Bit {highBit} does not fit Bits Stored {bitsStored} in Bits Allocated {bitsAllocated}");
        }
        var isMonochrome = photometric is "MONOCHROME1" or "MONOCHROME2";

        if (ds.Fragments is not null)
        {
            var frame = FirstFrame(ds);
            var decoded = SkiaImageDecoder.Decode(frame, "JPEG");
            if (decoded.Width != columns || decoded.Height != rows)
            {
                throw new ImageDecodeException($"malformed DICOM: the JPEG frame is {decoded.Width}x{decoded.Height} but Rows/Columns say {columns}x{rows}");
            }
            if (decoded.Channels == 1 || isMonochrome)
            {
                var values = (float[])decoded.ToGray().Clone();
                return Monochrome(columns.Value, rows.Value, values, ds, photometric == "MONOCHROME1", attributes, 8);
            }
            return new DecodedImage(decoded.Width, decoded.Height, 3, decoded.Pixels, "dicom", attributes, 8);
        }

        if (bitsAllocated is not (8 or 16 or 32))
        {
            throw new ImageDecodeException($"DICOM Bits Allocated {bitsAllocated} is not supported (8, 16 or 32)");
        }
        ds.TryGet(DicomTags.PixelData, out var pixel);
        var bytesPerSample = bitsAllocated / 8;
        var count = rows.Value * columns.Value * samples;
        var frameBytes = (long)count * bytesPerSample;
        if (pixel.Value.Length < frameBytes)
        {
            throw new ImageDecodeException($"truncated DICOM: pixel data holds {pixel.Value.Length} bytes but one {columns}x{rows} frame of {samples} sample(s) at {bitsAllocated} bits needs {frameBytes}");
        }
        var stored = ReadStored(pixel.Value.Span, count, bytesPerSample, bitsStored, highBit + 1 - bitsStored, signed, ds.BigEndian, pixel.Vr == "OW");

        if (isMonochrome)
        {
            if (samples != 1)
            {
                throw new ImageDecodeException($"malformed DICOM: {photometric} with Samples per Pixel {samples}");
            }
            return Monochrome(columns.Value, rows.Value, stored, ds, photometric == "MONOCHROME1", attributes, bitsStored);
        }
        if (photometric is "RGB" or "YBR_FULL")
        {
            if (samples != 3)
            {
                throw new ImageDecodeException($"malformed DICOM: {photometric} with Samples per Pixel {samples}");
            }
            var planar = (ds.GetUShort(DicomTags.PlanarConfiguration) ?? 0) == 1;
            var scale = 255.0 / (Math.Pow(2, bitsStored) - 1);
            var pixels = new float[count];
            var plane = rows.Value * columns.Value;
            for (var i = 0; i < plane; i++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var source = planar ? (c * plane) + i : (i * 3) + c;
                    pixels[(i * 3) + c] = (float)Math.Clamp(stored[source] * scale, 0, 255);
                }
                if (photometric == "YBR_FULL")
                {
                    YbrToRgb(pixels.AsSpan(i * 3, 3));
                }
            }
            return new DecodedImage(columns.Value, rows.Value, 3, pixels, "dicom", attributes, bitsStored);
        }
        throw new ImageDecodeException($"DICOM photometric interpretation {photometric} is not supported (MONOCHROME1, MONOCHROME2, RGB or YBR_FULL)");
    }

    /// <summary>Full-range YCbCr (PS3.3 C.7.6.3.1.2, the JFIF equations) to RGB, in place.</summary>
    private static void YbrToRgb(Span<float> p)
    {
        float y = p[0], cb = p[1] - 128f, cr = p[2] - 128f;
        p[0] = Math.Clamp(y + (1.402f * cr), 0f, 255f);
        p[1] = Math.Clamp(y - (0.344136f * cb) - (0.714136f * cr), 0f, 255f);
        p[2] = Math.Clamp(y + (1.772f * cb), 0f, 255f);
    }

    private static byte[] FirstFrame(DicomDataset ds)
    {
        var fragments = ds.Fragments!;
        if (fragments.Count == 0)
        {
            throw new ImageDecodeException("malformed DICOM: encapsulated pixel data holds no fragments");
        }
        var frames = (int)(ds.GetNumber(DicomTags.NumberOfFrames) ?? 1);
        IEnumerable<ReadOnlyMemory<byte>> parts = fragments;
        if (frames > 1)
        {
            if (ds.FrameOffsets.Count > 1)
            {
                // Fragments from offset 0 up to the second frame's offset (each item header is 8 bytes).
                var end = ds.FrameOffsets[1];
                var taken = new List<ReadOnlyMemory<byte>>();
                long offset = 0;
                foreach (var f in fragments)
                {
                    if (offset >= end)
                    {
                        break;
                    }
                    taken.Add(f);
                    offset += 8 + f.Length;
                }
                parts = taken;
            }
            else
            {
                parts = [fragments[0]];
            }
        }
        using var joined = new MemoryStream();
        foreach (var p in parts)
        {
            joined.Write(p.Span);
        }
        return joined.ToArray();
    }

    private static float[] ReadStored(ReadOnlySpan<byte> data, int count, int bytesPerSample, int bitsStored, int shift, bool signed, bool bigEndian, bool wordVr)
    {
        // float keeps every 16-bit value exactly (24-bit mantissa); 32-bit data loses only sub-level precision.
        var values = new float[count];
        var mask = bitsStored >= 32 ? 0xFFFFFFFFu : (1u << bitsStored) - 1;
        var sign = 1u << (bitsStored - 1);
        for (var i = 0; i < count; i++)
        {
            uint raw = bytesPerSample switch
            {
                // 8-bit samples in a big-endian OW value are stored byte-swapped within each word.
                1 => data[bigEndian && wordVr ? i ^ 1 : i],
                2 => bigEndian ? (uint)((data[i * 2] << 8) | data[(i * 2) + 1]) : (uint)(data[i * 2] | (data[(i * 2) + 1] << 8)),
                _ => bigEndian
                    ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data[(i * 4)..])
                    : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[(i * 4)..]),
            };
            // The stored bits end at High Bit; usually High Bit = Bits Stored - 1 and the shift is 0.
            raw = (raw >> shift) & mask;
            values[i] = (float)(signed && (raw & sign) != 0 ? raw - (double)(1L << bitsStored) : raw);
        }
        return values;
    }

    private static DecodedImage Monochrome(int width, int height, float[] stored, DicomDataset ds, bool invert, DicomAttributes attributes, int bits)
    {
        var slope = ds.GetNumber(DicomTags.RescaleSlope) ?? 1.0;
        var intercept = ds.GetNumber(DicomTags.RescaleIntercept) ?? 0.0;
        if (slope == 0)
        {
            slope = 1.0;
        }
        double min = double.MaxValue, max = double.MinValue;
        for (var i = 0; i < stored.Length; i++)
        {
            var v = (stored[i] * slope) + intercept;
            stored[i] = (float)v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        var center = ds.GetNumber(DicomTags.WindowCenter);
        var windowWidth = ds.GetNumber(DicomTags.WindowWidth);
        var pixels = new float[stored.Length];
        if (center is { } c && windowWidth is { } w && w >= 1)
        {
            // Linear VOI function of PS3.3 C.11.2.1.2.1.
            double low = c - 0.5 - ((w - 1) / 2), high = c - 0.5 + ((w - 1) / 2);
            for (var i = 0; i < stored.Length; i++)
            {
                var x = stored[i];
                var y = x <= low ? 0 : x > high ? 255 : (((x - (c - 0.5)) / (w - 1)) + 0.5) * 255;
                pixels[i] = (float)Math.Clamp(y, 0, 255);
            }
        }
        else
        {
            var range = max - min;
            for (var i = 0; i < stored.Length; i++)
            {
                pixels[i] = range > 0 ? (float)((stored[i] - min) / range * 255) : 0f;
            }
        }
        if (invert)
        {
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = 255f - pixels[i];
            }
        }
        return new DecodedImage(width, height, 1, pixels, "dicom", attributes, bits);
    }
}
