using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace EdgeAgent.Imaging.Dicom;

/// <summary>The top-level elements of a parsed file that the image decoder needs, as slices of the file.</summary>
internal sealed class DicomDataset
{
    internal readonly record struct Element(string? Vr, ReadOnlyMemory<byte> Value);

    private readonly Dictionary<uint, Element> _elements = [];

    public DicomDataset(string transferSyntax, bool bigEndian)
    {
        TransferSyntax = transferSyntax;
        BigEndian = bigEndian;
    }

    public string TransferSyntax { get; }
    public bool BigEndian { get; }
    /// <summary>Encapsulated pixel data fragments (basic offset table excluded); null for native pixel data.</summary>
    public List<ReadOnlyMemory<byte>>? Fragments { get; set; }
    /// <summary>Byte offsets of frames within the fragment stream, from the basic offset table (may be empty).</summary>
    public List<uint> FrameOffsets { get; } = [];

    public void Add(uint tag, string? vr, ReadOnlyMemory<byte> value) => _elements[tag] = new Element(vr, value);

    public bool Contains(uint tag) => _elements.ContainsKey(tag);

    public bool TryGet(uint tag, out Element element) => _elements.TryGetValue(tag, out element);

    public string? GetString(uint tag)
    {
        if (!_elements.TryGetValue(tag, out var e))
        {
            return null;
        }
        var text = Encoding.ASCII.GetString(e.Value.Span).TrimEnd('\0', ' ').Trim();
        return text.Length == 0 ? null : text;
    }

    public int? GetUShort(uint tag)
    {
        if (!_elements.TryGetValue(tag, out var e) || e.Value.Length < 2)
        {
            return null;
        }
        var span = e.Value.Span;
        return BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
    }

    /// <summary>First value of a decimal or integer string (DS/IS), e.g. the first of several window centres.</summary>
    public double? GetNumber(uint tag)
    {
        var text = GetString(tag);
        if (text is null)
        {
            return null;
        }
        var first = text.Split('\\')[0].Trim();
        if (!double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new ImageDecodeException($"malformed DICOM: element {DicomTags.Format(tag)} holds '{text}', not a number");
        }
        return value;
    }
}
