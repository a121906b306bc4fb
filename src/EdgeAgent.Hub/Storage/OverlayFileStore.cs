using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hub.Storage;

/// <summary>
/// Overlay PNGs as files named by result id (written to a temporary name, then renamed, so a reader never sees half a file).
/// The overlay may arrive before or after its result; it is kept either way and served once both are there.
/// </summary>
public sealed class OverlayFileStore(string directory, int maxBytes, ILogger<OverlayFileStore> logger)
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public string Directory { get; } = Path.GetFullPath(directory);

    public int MaxBytes => maxBytes;

    public void Initialize() => System.IO.Directory.CreateDirectory(Directory);

    /// <summary>Stores the overlay; returns false (and logs why) when it is too big, not a PNG, or the id is unsafe.</summary>
    public async Task<bool> SaveAsync(string resultId, ReadOnlyMemory<byte> png, CancellationToken cancellationToken)
    {
        if (!ResultIdRules.IsValid(resultId))
        {
            logger.LogWarning("Overlay refused: result id '{ResultId}' has characters outside A-Z a-z 0-9 - _ .", resultId);
            return false;
        }
        if (png.Length > maxBytes)
        {
            logger.LogWarning("Overlay of result {ResultId} refused: {Bytes} bytes is over Storage:MaxOverlayBytes {Max}.", resultId, png.Length, maxBytes);
            return false;
        }
        if (!png.Span.StartsWith(PngSignature))
        {
            logger.LogWarning("Overlay of result {ResultId} refused: the payload is not a PNG.", resultId);
            return false;
        }
        var target = PathFor(resultId);
        var temporary = target + ".tmp-" + Guid.NewGuid().ToString("N");
        await File.WriteAllBytesAsync(temporary, png.ToArray(), cancellationToken);
        File.Move(temporary, target, overwrite: true);
        return true;
    }

    public bool Exists(string resultId) => ResultIdRules.IsValid(resultId) && File.Exists(PathFor(resultId));

    /// <summary>Opens the overlay for reading, or null when there is none.</summary>
    public Stream? OpenRead(string resultId) =>
        Exists(resultId) ? new FileStream(PathFor(resultId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete) : null;

    public void Delete(string resultId)
    {
        if (ResultIdRules.IsValid(resultId))
        {
            File.Delete(PathFor(resultId));
        }
    }

    /// <summary>Ids of overlay files last written before the cutoff (candidates for orphan clean-up).</summary>
    public IEnumerable<string> IdsWrittenBefore(DateTimeOffset cutoff) =>
        System.IO.Directory.EnumerateFiles(Directory, "*.png")
            .Where(file => File.GetLastWriteTimeUtc(file) < cutoff.UtcDateTime)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>();

    private string PathFor(string resultId) => Path.Combine(Directory, resultId + ".png");
}
