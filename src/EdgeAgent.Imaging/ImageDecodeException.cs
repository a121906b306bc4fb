namespace EdgeAgent.Imaging;

/// <summary>
/// An input that cannot be decoded. <see cref="Reason"/> says why in words a person can act on;
/// <see cref="Exception.Message"/> prefixes it with the file name when one is known.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException() : this("the image could not be decoded") { }

    public ImageDecodeException(string reason) : base(reason) => Reason = reason;

    public ImageDecodeException(string reason, Exception inner) : base(reason, inner) => Reason = reason;

    public ImageDecodeException(string reason, string? fileName, Exception? inner = null)
        : base(string.IsNullOrEmpty(fileName) ? reason : $"{fileName}: {reason}", inner)
    {
        Reason = reason;
        FileName = fileName;
    }

    /// <summary>Why the image was refused, without the file name.</summary>
    public string Reason { get; }

    /// <summary>The file name the decoder was given (null when unknown).</summary>
    public string? FileName { get; }
}
