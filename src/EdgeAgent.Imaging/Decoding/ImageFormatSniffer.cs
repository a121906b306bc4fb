using System.Text;

namespace EdgeAgent.Imaging.Decoding;

/// <summary>Identifies a file's format from its content; the extension is never trusted.</summary>
public static class ImageFormatSniffer
{
    public static ImageFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 8 && data[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ImageFormat.Png;
        }
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }
        if (data.Length >= 26 && data[0] == 'B' && data[1] == 'M')
        {
            return ImageFormat.Bmp;
        }
        if (data.Length >= 16 && data[..4].SequenceEqual("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }
        if (data.Length >= 132 && data.Slice(128, 4).SequenceEqual("DICM"u8))
        {
            return ImageFormat.Dicom;
        }
        // DICOM without the 128-byte preamble: starts with a group 0002 (meta) or 0008 (identifying) element.
        if (data.Length >= 8 && data[1] == 0 && (data[0] == 0x02 || data[0] == 0x08) && data[3] == 0x00 && data[2] <= 0x20)
        {
            return ImageFormat.Dicom;
        }
        return ImageFormat.Unknown;
    }

    /// <summary>A reason a person understands for content that is not a supported image.</summary>
    public static string DescribeUnsupported(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return "the file is empty (0 bytes)";
        }
        if (data.Length >= 6 && (data[..6].SequenceEqual("GIF87a"u8) || data[..6].SequenceEqual("GIF89a"u8)))
        {
            return "GIF images are not supported; export the X-ray as PNG, JPEG or DICOM";
        }
        if (data.Length >= 4 && (data[..4].SequenceEqual((ReadOnlySpan<byte>)[0x49, 0x49, 0x2A, 0x00]) || data[..4].SequenceEqual((ReadOnlySpan<byte>)[0x4D, 0x4D, 0x00, 0x2A])))
        {
            return "TIFF images are not supported; export the X-ray as PNG, JPEG or DICOM";
        }
        if (data.Length >= 5 && data[..5].SequenceEqual("%PDF-"u8))
        {
            return "not an image: the file is a PDF document";
        }
        if (data.Length >= 4 && data[..4].SequenceEqual((ReadOnlySpan<byte>)[0x50, 0x4B, 0x03, 0x04]))
        {
            return "not an image: the file is a ZIP archive";
        }
        if (LooksLikeText(data[..Math.Min(data.Length, 4096)]))
        {
            return "not an image: the file is text";
        }
        return "not an image: the content matches none of PNG, JPEG, BMP, WebP or DICOM (whatever the file name says)";
    }

    /// <summary>Length of the prefix that does not end inside a multi-byte UTF-8 sequence.</summary>
    private static int WholeCharacters(ReadOnlySpan<byte> head)
    {
        var cut = head.Length;
        var back = 0;
        while (cut > 0 && back < 3 && (head[cut - 1] & 0xC0) == 0x80)
        {
            cut--;
            back++;
        }
        if (cut > 0 && head[cut - 1] >= 0xC0)
        {
            cut--;
        }
        else if (back > 0)
        {
            cut = head.Length;
        }
        return cut;
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        var control = 0;
        foreach (var b in head)
        {
            if (b == 0)
            {
                return false;
            }
            if (b < 0x20 && b is not ((byte)'\n' or (byte)'\r' or (byte)'\t' or 0x0C))
            {
                control++;
            }
        }
        if (control > head.Length / 100)
        {
            return false;
        }
        // Valid UTF-8 (which includes ASCII) with hardly any control characters reads as text.
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(head[..WholeCharacters(head)]);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
