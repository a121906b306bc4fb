using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace EdgeAgent.Imaging.Dicom;

/// <summary>
/// Walks a DICOM Part 10 file: preamble and "DICM", the group 0002 meta header (explicit VR little
/// endian), then the dataset in its transfer syntax. Sequences and items of defined or undefined
/// length are skipped structurally; every length is checked against the bytes that remain, so a
/// malformed file ends in an <see cref="ImageDecodeException"/>, never a hang or a huge allocation.
/// </summary>
internal sealed class DicomParser
{
    private const uint Undefined = 0xFFFFFFFF;
    private const int MaxDepth = 32;

    private static readonly HashSet<string> LongVrs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"];

    private readonly byte[] _data;
    private readonly bool _explicitVr;
    private readonly bool _bigEndian;
    private readonly DicomDataset _dataset;
    private int _pos;

    private DicomParser(byte[] data, int position, bool explicitVr, bool bigEndian, DicomDataset dataset)
    {
        _data = data;
        _pos = position;
        _explicitVr = explicitVr;
        _bigEndian = bigEndian;
        _dataset = dataset;
    }

    public static DicomDataset Parse(byte[] data, long maxInflatedBytes)
    {
        var pos = data.Length >= 132 && data.AsSpan(128, 4).SequenceEqual("DICM"u8) ? 132 : 0;
        var meta = new DicomDataset("meta", bigEndian: false);
        var metaParser = new DicomParser(data, pos, explicitVr: true, bigEndian: false, meta);
        while (metaParser._pos + 8 <= data.Length && BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(metaParser._pos)) == 0x0002)
        {
            metaParser.ReadElement(depth: 0);
        }
        pos = metaParser._pos;

        var syntax = meta.GetString(DicomTags.TransferSyntaxUid) ?? GuessSyntaxWithoutMeta(data, pos);
        if (!DicomTransferSyntax.IsSupported(syntax))
        {
            throw new ImageDecodeException(DicomTransferSyntax.RefusalReason(syntax));
        }
        var bigEndian = syntax == DicomTransferSyntax.ExplicitVrBigEndian;
        var explicitVr = syntax != DicomTransferSyntax.ImplicitVrLittleEndian;
        if (syntax == DicomTransferSyntax.DeflatedExplicitVrLittleEndian)
        {
            data = Inflate(data, pos, maxInflatedBytes);
            pos = 0;
        }
        var dataset = new DicomDataset(syntax, bigEndian);
        new DicomParser(data, pos, explicitVr, bigEndian, dataset).ReadTopLevel();
        return dataset;
    }

    /// <summary>A file without a meta header: tell explicit from implicit VR by whether bytes 4-5 are a VR.</summary>
    private static string GuessSyntaxWithoutMeta(byte[] data, int pos)
    {
        if (pos + 6 <= data.Length && IsVr(data.AsSpan(pos + 4, 2)))
        {
            return DicomTransferSyntax.ExplicitVrLittleEndian;
        }
        return DicomTransferSyntax.ImplicitVrLittleEndian;
    }

    private static bool IsVr(ReadOnlySpan<byte> two) => two[0] is >= (byte)'A' and <= (byte)'Z' && two[1] is >= (byte)'A' and <= (byte)'Z';

    private static byte[] Inflate(byte[] data, int pos, long limit)
    {
        using var input = new MemoryStream(data, pos, data.Length - pos, writable: false);
        using var inflater = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        try
        {
            int read;
            while ((read = inflater.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > limit)
                {
                    throw new ImageDecodeException($"deflated DICOM dataset inflates beyond the limit of {limit / 1048576.0:0.#} MB");
                }
                output.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageDecodeException($"corrupt DICOM: the deflated dataset is damaged ({e.Message})", e);
        }
        return output.ToArray();
    }

    private void ReadTopLevel()
    {
        while (_pos < _data.Length)
        {
            if (_data.Length - _pos < 8)
            {
                throw new ImageDecodeException($"truncated DICOM: {_data.Length - _pos} stray bytes at the end (byte {_pos}) where an element header should be");
            }
            var tag = ReadElement(depth: 0);
            if (tag == DicomTags.PixelData)
            {
                // Anything after the pixel data (trailing padding, signatures) is not needed.
                return;
            }
        }
    }

    private ushort U16(int at) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(at));

    private uint U32(int at) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(_data.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(at));

    private uint ReadTag(int at) => ((uint)U16(at) << 16) | U16(at + 2);

    private void Need(int bytes, string what)
    {
        if (_pos + (long)bytes > _data.Length)
        {
            throw new ImageDecodeException($"truncated DICOM: {what} at byte {_pos} needs {bytes} bytes but only {_data.Length - _pos} remain");
        }
    }

    /// <summary>Reads one element at the current position (its value, a sequence or encapsulated pixel data) and returns its tag.</summary>
    private uint ReadElement(int depth)
    {
        Need(8, "an element header");
        var start = _pos;
        var tag = ReadTag(_pos);
        if (tag >> 16 == 0xFFFE)
        {
            throw new ImageDecodeException($"malformed DICOM: item tag {DicomTags.Format(tag)} at byte {start} outside a sequence");
        }
        string? vr;
        uint length;
        if (_explicitVr || tag >> 16 == 0x0002)
        {
            vr = Encoding.ASCII.GetString(_data, _pos + 4, 2);
            if (!IsVr(_data.AsSpan(_pos + 4, 2)))
            {
                throw new ImageDecodeException($"malformed DICOM: element {DicomTags.Format(tag)} at byte {start} has no valid VR although the transfer syntax is explicit VR");
            }
            if (LongVrs.Contains(vr))
            {
                Need(12, $"element {DicomTags.Format(tag)} header");
                length = U32(_pos + 8);
                _pos += 12;
            }
            else
            {
                length = U16(_pos + 6);
                _pos += 8;
            }
        }
        else
        {
            vr = DicomTags.ImplicitVr(tag);
            length = U32(_pos + 4);
            _pos += 8;
        }

        if (length == Undefined)
        {
            if (tag == DicomTags.PixelData && depth == 0)
            {
                ReadEncapsulatedPixelData();
            }
            else if (vr is null or "SQ" or "UN")
            {
                // UN of undefined length is a sequence encoded implicit VR little endian (PS3.5 6.2.2).
                var nested = vr == "UN" ? new DicomParser(_data, _pos, explicitVr: false, bigEndian: false, _dataset) : this;
                nested.SkipSequence(tag, depth + 1);
                _pos = nested._pos;
            }
            else
            {
                throw new ImageDecodeException($"malformed DICOM: element {DicomTags.Format(tag)} ({vr}) at byte {start} has undefined length, allowed only for sequences and pixel data");
            }
            return tag;
        }

        if (_pos + (long)length > _data.Length)
        {
            throw new ImageDecodeException($"truncated DICOM: element {DicomTags.Format(tag)} at byte {start} claims {length} bytes but only {_data.Length - _pos} remain");
        }
        if (depth == 0)
        {
            _dataset.Add(tag, vr, _data.AsMemory(_pos, (int)length));
        }
        _pos += (int)length;
        return tag;
    }

    private void SkipSequence(uint sequenceTag, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ImageDecodeException($"malformed DICOM: sequences nested deeper than {MaxDepth} levels");
        }
        while (true)
        {
            Need(8, $"an item of sequence {DicomTags.Format(sequenceTag)}");
            var tag = ReadTag(_pos);
            var length = U32(_pos + 4);
            if (tag == DicomTags.SequenceDelimiter)
            {
                _pos += 8;
                return;
            }
            if (tag != DicomTags.Item)
            {
                throw new ImageDecodeException($"malformed DICOM: expected an item in sequence {DicomTags.Format(sequenceTag)} at byte {_pos}, found {DicomTags.Format(tag)}");
            }
            _pos += 8;
            if (length == Undefined)
            {
                SkipItemElements(sequenceTag, depth);
            }
            else
            {
                Need((int)Math.Min(length, int.MaxValue), $"an item of sequence {DicomTags.Format(sequenceTag)}");
                _pos += (int)length;
            }
        }
    }

    private void SkipItemElements(uint sequenceTag, int depth)
    {
        while (true)
        {
            Need(8, $"an element in an item of sequence {DicomTags.Format(sequenceTag)}");
            if (ReadTag(_pos) == DicomTags.ItemDelimiter)
            {
                _pos += 8;
                return;
            }
            ReadElement(depth);
        }
    }

    private void ReadEncapsulatedPixelData()
    {
        var fragments = new List<ReadOnlyMemory<byte>>();
        var first = true;
        while (true)
        {
            Need(8, "an encapsulated pixel data item");
            var tag = ReadTag(_pos);
            var length = U32(_pos + 4);
            _pos += 8;
            if (tag == DicomTags.SequenceDelimiter)
            {
                break;
            }
            if (tag != DicomTags.Item || length == Undefined)
            {
                throw new ImageDecodeException($"malformed DICOM: encapsulated pixel data holds {DicomTags.Format(tag)} at byte {_pos - 8} where a fragment item should be");
            }
            if (_pos + (long)length > _data.Length)
            {
                throw new ImageDecodeException($"truncated DICOM: pixel data fragment at byte {_pos - 8} claims {length} bytes but only {_data.Length - _pos} remain");
            }
            var value = _data.AsMemory(_pos, (int)length);
            _pos += (int)length;
            if (first)
            {
                // The basic offset table: frame start offsets within the fragment stream.
                for (var i = 0; i + 4 <= value.Length; i += 4)
                {
                    _dataset.FrameOffsets.Add(BinaryPrimitives.ReadUInt32LittleEndian(value.Span[i..]));
                }
                first = false;
                continue;
            }
            fragments.Add(value);
        }
        _dataset.Fragments = fragments;
        _dataset.Add(DicomTags.PixelData, "OB", ReadOnlyMemory<byte>.Empty);
    }
}
