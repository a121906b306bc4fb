using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using EdgeAgent.Imaging.Decoding;

namespace EdgeAgent.Imaging.Dicom;

/// <summary>
/// Writes DICOM Part 10 files (Digital X-Ray, For Presentation) in every transfer syntax the reader
/// supports. Used by the synthetic data set and by tests; not a general-purpose DICOM toolkit.
/// </summary>
public static class DicomWriter
{
    public const string DigitalXRayForPresentation = "1.2.840.10008.5.1.4.1.1.1.1";
    private const string ImplementationClassUid = "2.25.240105934829370158711468125190146727321";

    private sealed record Element(uint Tag, string Vr, byte[]? Value, List<List<Element>>? Items = null, List<byte[]>? Fragments = null);

    /// <summary>
    /// Writes an image: grey as 12 bits stored in 16 (window covering the full range) so the reader
    /// recovers it within one 4095th of the scale; JPEG Baseline stores 8 bits; colour as 8-bit RGB.
    /// </summary>
    public static byte[] WriteImage(DecodedImage image, string transferSyntaxUid = DicomTransferSyntax.ExplicitVrLittleEndian, DicomAttributes? attributes = null, int jpegQuality = 95)
    {
        ArgumentNullException.ThrowIfNull(image);
        attributes ??= image.Dicom ?? new DicomAttributes();
        var rgb = image.Channels == 3;
        if (transferSyntaxUid == DicomTransferSyntax.JpegBaseline8Bit)
        {
            return Write(new DicomImageSpec
            {
                Rows = image.Height, Columns = image.Width, TransferSyntaxUid = transferSyntaxUid,
                SamplesPerPixel = rgb ? 3 : 1, PhotometricInterpretation = rgb ? "YBR_FULL_422" : "MONOCHROME2",
                BitsAllocated = 8, BitsStored = 8, JpegFrame = JpegEncoder.Encode(image, jpegQuality), Attributes = attributes,
            });
        }
        if (rgb)
        {
            var values = new int[image.Pixels.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (int)Math.Clamp(MathF.Round(image.Pixels[i]), 0, 255);
            }
            return Write(new DicomImageSpec
            {
                Rows = image.Height, Columns = image.Width, TransferSyntaxUid = transferSyntaxUid, SamplesPerPixel = 3,
                PhotometricInterpretation = "RGB", BitsAllocated = 8, BitsStored = 8, StoredValues = values, Attributes = attributes,
            });
        }
        var grey = new int[image.Pixels.Length];
        for (var i = 0; i < grey.Length; i++)
        {
            grey[i] = (int)Math.Clamp(MathF.Round(image.Pixels[i] / 255f * 4095f), 0, 4095);
        }
        return Write(new DicomImageSpec
        {
            Rows = image.Height, Columns = image.Width, TransferSyntaxUid = transferSyntaxUid, StoredValues = grey,
            WindowCenter = "2047.5", WindowWidth = "4096", Attributes = attributes,
        });
    }

    public static byte[] Write(DicomImageSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var syntax = spec.TransferSyntaxUid;
        var encapsulated = syntax == DicomTransferSyntax.JpegBaseline8Bit;
        if (!encapsulated && !spec.OmitPixelData && spec.StoredValues is null)
        {
            throw new ArgumentException("StoredValues are required for native pixel data", nameof(spec));
        }
        if (encapsulated && spec.JpegFrame is null)
        {
            throw new ArgumentException("JpegFrame is required for the JPEG Baseline transfer syntax", nameof(spec));
        }
        var bigEndian = syntax == DicomTransferSyntax.ExplicitVrBigEndian;
        var explicitVr = syntax != DicomTransferSyntax.ImplicitVrLittleEndian;
        var a = spec.Attributes;
        var sop = a.SopInstanceUid ?? "2.25.1";
        var elements = new List<Element>
        {
            Text(0x0008_0016, "UI", DigitalXRayForPresentation),
            Text(0x0008_0018, "UI", sop),
            Text(0x0008_0060, "CS", a.Modality ?? "DX"),
            Text(0x0010_0010, "PN", "PHANTOM^SYNTHETIC"),
            Text(0x0020_000D, "UI", a.StudyInstanceUid ?? "2.25.2"),
            Text(0x0020_000E, "UI", a.SeriesInstanceUid ?? "2.25.3"),
            Text(0x0028_0004, "CS", spec.PhotometricInterpretation),
            UShort(0x0028_0002, spec.SamplesPerPixel, bigEndian),
            UShort(0x0028_0010, spec.Rows, bigEndian),
            UShort(0x0028_0011, spec.Columns, bigEndian),
            UShort(0x0028_0100, spec.BitsAllocated, bigEndian),
            UShort(0x0028_0101, spec.BitsStored, bigEndian),
            UShort(0x0028_0102, spec.HighBit ?? (spec.BitsStored - 1), bigEndian),
            UShort(0x0028_0103, spec.PixelRepresentation, bigEndian),
        };
        AddIfPresent(elements, 0x0018_0015, "CS", a.BodyPartExamined);
        AddIfPresent(elements, 0x0018_5101, "CS", a.ViewPosition);
        AddIfPresent(elements, 0x0028_1050, "DS", spec.WindowCenter);
        AddIfPresent(elements, 0x0028_1051, "DS", spec.WindowWidth);
        AddIfPresent(elements, 0x0028_1052, "DS", spec.RescaleIntercept?.ToString("R", CultureInfo.InvariantCulture));
        AddIfPresent(elements, 0x0028_1053, "DS", spec.RescaleSlope?.ToString("R", CultureInfo.InvariantCulture));
        if (spec.SamplesPerPixel > 1)
        {
            elements.Add(UShort(0x0028_0006, spec.PlanarConfiguration, bigEndian));
        }
        if (spec.IncludeSequences)
        {
            elements.Add(ReferencedImageSequence());
        }
        if (!spec.OmitPixelData)
        {
            elements.Add(encapsulated
                ? new Element(DicomTags.PixelData, "OB", null, Fragments: [Even(spec.JpegFrame!)])
                : new Element(DicomTags.PixelData, spec.BitsAllocated > 8 ? "OW" : "OB", PixelBytes(spec, bigEndian)));
        }
        elements.Sort((x, y) => x.Tag.CompareTo(y.Tag));

        var dataset = new MemoryStream();
        foreach (var e in elements)
        {
            WriteElement(dataset, e, explicitVr, bigEndian, spec.UndefinedLengthSequences);
        }
        var body = dataset.ToArray();
        if (syntax == DicomTransferSyntax.DeflatedExplicitVrLittleEndian)
        {
            using var deflated = new MemoryStream();
            using (var z = new DeflateStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
            {
                z.Write(body);
            }
            body = deflated.ToArray();
        }

        using var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        var meta = new MemoryStream();
        foreach (var e in new[]
        {
            new Element(0x0002_0001, "OB", [0, 1]),
            Text(0x0002_0002, "UI", DigitalXRayForPresentation),
            Text(0x0002_0003, "UI", sop),
            Text(0x0002_0010, "UI", syntax),
            Text(0x0002_0012, "UI", ImplementationClassUid),
            Text(0x0002_0013, "SH", "EDGEAGENT_1"),
        })
        {
            WriteElement(meta, e, explicitVr: true, bigEndian: false, undefinedLengths: false);
        }
        var groupLength = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(groupLength, (uint)meta.Length);
        WriteElement(file, new Element(0x0002_0000, "UL", groupLength), explicitVr: true, bigEndian: false, undefinedLengths: false);
        file.Write(meta.ToArray());
        file.Write(body);
        return file.ToArray();
    }

    /// <summary>A sequence of two items, one holding a nested sequence and an OB value whose bytes spell the pixel-data tag.</summary>
    private static Element ReferencedImageSequence()
    {
        var nested = new Element(0x0040_A170, "SQ", null, [[Text(0x0008_0100, "SH", "121311")]]);
        byte[] decoy = [0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x57, 0x00, 0x00];
        return new Element(0x0008_1140, "SQ", null,
        [
            [Text(0x0008_1150, "UI", DigitalXRayForPresentation), Text(0x0008_1155, "UI", "2.25.99"), new Element(0x0009_1001, "OB", decoy), nested],
            [Text(0x0008_1150, "UI", DigitalXRayForPresentation)],
        ]);
    }

    private static byte[] PixelBytes(DicomImageSpec spec, bool bigEndian)
    {
        var values = spec.StoredValues!;
        var expected = spec.Rows * spec.Columns * spec.SamplesPerPixel;
        if (values.Length != expected)
        {
            throw new ArgumentException($"StoredValues holds {values.Length} samples, expected {expected}");
        }
        var ordered = values;
        if (spec.SamplesPerPixel > 1 && spec.PlanarConfiguration == 1)
        {
            var plane = spec.Rows * spec.Columns;
            ordered = new int[values.Length];
            for (var i = 0; i < plane; i++)
            {
                for (var c = 0; c < spec.SamplesPerPixel; c++)
                {
                    ordered[(c * plane) + i] = values[(i * spec.SamplesPerPixel) + c];
                }
            }
        }
        var bytesPer = spec.BitsAllocated / 8;
        var bytes = new byte[ordered.Length * bytesPer];
        var mask = spec.BitsStored >= 32 ? 0xFFFFFFFFu : (1u << spec.BitsStored) - 1;
        var shift = (spec.HighBit ?? (spec.BitsStored - 1)) + 1 - spec.BitsStored;
        for (var i = 0; i < ordered.Length; i++)
        {
            var raw = ((uint)ordered[i] & mask) << shift;
            switch (bytesPer)
            {
                case 1: bytes[i] = (byte)raw; break;
                case 2:
                    if (bigEndian) { BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i * 2), (ushort)raw); }
                    else { BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)raw); }
                    break;
                default:
                    if (bigEndian) { BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), raw); }
                    else { BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), raw); }
                    break;
            }
        }
        return Even(bytes);
    }

    private static void WriteElement(Stream s, Element e, bool explicitVr, bool bigEndian, bool undefinedLengths)
    {
        if (e.Fragments is not null)
        {
            WriteHeader(s, e.Tag, "OB", 0xFFFFFFFF, explicitVr, bigEndian);
            WriteHeader(s, DicomTags.Item, null, 0, false, bigEndian);
            foreach (var f in e.Fragments)
            {
                WriteHeader(s, DicomTags.Item, null, (uint)f.Length, false, bigEndian);
                s.Write(f);
            }
            WriteHeader(s, DicomTags.SequenceDelimiter, null, 0, false, bigEndian);
            return;
        }
        if (e.Items is not null)
        {
            if (undefinedLengths)
            {
                WriteHeader(s, e.Tag, "SQ", 0xFFFFFFFF, explicitVr, bigEndian);
                foreach (var item in e.Items)
                {
                    WriteHeader(s, DicomTags.Item, null, 0xFFFFFFFF, false, bigEndian);
                    foreach (var child in item)
                    {
                        WriteElement(s, child, explicitVr, bigEndian, undefinedLengths);
                    }
                    WriteHeader(s, DicomTags.ItemDelimiter, null, 0, false, bigEndian);
                }
                WriteHeader(s, DicomTags.SequenceDelimiter, null, 0, false, bigEndian);
            }
            else
            {
                var content = new MemoryStream();
                foreach (var item in e.Items)
                {
                    var itemBody = new MemoryStream();
                    foreach (var child in item)
                    {
                        WriteElement(itemBody, child, explicitVr, bigEndian, undefinedLengths);
                    }
                    WriteHeader(content, DicomTags.Item, null, (uint)itemBody.Length, false, bigEndian);
                    itemBody.Position = 0;
                    itemBody.CopyTo(content);
                }
                WriteHeader(s, e.Tag, "SQ", (uint)content.Length, explicitVr, bigEndian);
                content.Position = 0;
                content.CopyTo(s);
            }
            return;
        }
        WriteHeader(s, e.Tag, e.Vr, (uint)e.Value!.Length, explicitVr, bigEndian);
        s.Write(e.Value);
    }

    private static void WriteHeader(Stream s, uint tag, string? vr, uint length, bool explicitVr, bool bigEndian)
    {
        Span<byte> h = stackalloc byte[12];
        void U16(Span<byte> at, int v) { if (bigEndian) { BinaryPrimitives.WriteUInt16BigEndian(at, (ushort)v); } else { BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)v); } }
        void U32(Span<byte> at, uint v) { if (bigEndian) { BinaryPrimitives.WriteUInt32BigEndian(at, v); } else { BinaryPrimitives.WriteUInt32LittleEndian(at, v); } }
        U16(h, (int)(tag >> 16));
        U16(h[2..], (int)(tag & 0xFFFF));
        if (!explicitVr || vr is null)
        {
            U32(h[4..], length);
            s.Write(h[..8]);
            return;
        }
        h[4] = (byte)vr[0];
        h[5] = (byte)vr[1];
        if (vr is "OB" or "OW" or "OF" or "SQ" or "UN" or "UT" or "UC" or "UR" or "OD" or "OL" or "OV" or "SV" or "UV")
        {
            h[6] = 0;
            h[7] = 0;
            U32(h[8..], length);
            s.Write(h);
        }
        else
        {
            U16(h[6..], (int)length);
            s.Write(h[..8]);
        }
    }

    private static void AddIfPresent(List<Element> list, uint tag, string vr, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            list.Add(Text(tag, vr, value));
        }
    }

    private static Element Text(uint tag, string vr, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        if (bytes.Length % 2 == 1)
        {
            Array.Resize(ref bytes, bytes.Length + 1);
            bytes[^1] = vr == "UI" ? (byte)0 : (byte)' ';
        }
        return new Element(tag, vr, bytes);
    }

    private static Element UShort(uint tag, int value, bool bigEndian)
    {
        var bytes = new byte[2];
        if (bigEndian) { BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value); }
        else { BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value); }
        return new Element(tag, "US", bytes);
    }

    private static byte[] Even(byte[] bytes)
    {
        if (bytes.Length % 2 == 0)
        {
            return bytes;
        }
        var padded = new byte[bytes.Length + 1];
        bytes.CopyTo(padded, 0);
        return padded;
    }
}
