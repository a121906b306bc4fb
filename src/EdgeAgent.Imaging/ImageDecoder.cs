using EdgeAgent.Imaging.Decoding;
using EdgeAgent.Imaging.Dicom;
using EdgeAgent.Imaging.Png;

namespace EdgeAgent.Imaging;

/// <summary>
/// Decodes an X-ray from PNG, JPEG, BMP, WebP or DICOM Part 10, choosing the decoder from the
/// content. Every refusal is an <see cref="ImageDecodeException"/> whose reason a person can act on.
/// </summary>
public static class ImageDecoder
{
    public static DecodedImage Decode(byte[] data, string? fileName = null, ImageDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= ImageDecoderOptions.Default;
        try
        {
            if (data.LongLength > options.MaxFileBytes)
            {
                throw new ImageDecodeException($"file is {data.LongLength / 1048576.0:0.#} MB, above the limit of {options.MaxFileBytes / 1048576.0:0.#} MB");
            }
            var format = ImageFormatSniffer.Detect(data);
            switch (format)
            {
                case ImageFormat.Unknown:
                    throw new ImageDecodeException(ImageFormatSniffer.DescribeUnsupported(data));
                case ImageFormat.Dicom:
                    return DicomImageDecoder.Decode(data, options);
                case ImageFormat.Png:
                {
                    var header = PngFile.ReadHeader(data);
                    options.CheckSize(header.Width, header.Height);
                    PngFile.ValidateChunks(data);
                    return header.BitDepth == 16 ? PngFile.Decode16(data, header) : SkiaImageDecoder.Decode(data, "PNG");
                }
                default:
                {
                    var (width, height) = ImageHeaderReader.ReadSize(format, data);
                    options.CheckSize(width, height);
                    return SkiaImageDecoder.Decode(data, format == ImageFormat.WebP ? "WebP" : format.ToString().ToUpperInvariant());
                }
            }
        }
        catch (ImageDecodeException e)
        {
            throw new ImageDecodeException(e.Reason, fileName, e.InnerException ?? e);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidDataException or OverflowException)
        {
            // A decoder tripping over inconsistent data is a damaged file, never a crash of the caller.
            throw new ImageDecodeException($"damaged or malformed file ({e.Message})", fileName, e);
        }
    }

    /// <summary>Reads the stream (up to the file-size limit) and decodes it.</summary>
    public static DecodedImage Decode(Stream stream, string? fileName = null, ImageDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= ImageDecoderOptions.Default;
        if (stream.CanSeek)
        {
            var length = stream.Length - stream.Position;
            if (length > options.MaxFileBytes)
            {
                throw new ImageDecodeException($"file is {length / 1048576.0:0.#} MB, above the limit of {options.MaxFileBytes / 1048576.0:0.#} MB", fileName);
            }
            var exact = new byte[length];
            stream.ReadExactly(exact);
            return Decode(exact, fileName, options);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > options.MaxFileBytes)
            {
                throw new ImageDecodeException($"file is larger than the limit of {options.MaxFileBytes / 1048576.0:0.#} MB", fileName);
            }
            buffer.Write(chunk, 0, read);
        }
        return Decode(buffer.ToArray(), fileName, options);
    }

    /// <summary>Decodes a file from disk; the file name appears in every error.</summary>
    public static DecodedImage DecodeFile(string path, ImageDecoderOptions? options = null)
    {
        using var stream = File.OpenRead(path);
        return Decode(stream, Path.GetFileName(path), options);
    }
}
