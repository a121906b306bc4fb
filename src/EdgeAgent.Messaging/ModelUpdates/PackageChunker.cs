using System.Security.Cryptography;

namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>Hub side: hashes a package file whole and per chunk into an unsigned <see cref="UpdateManifest"/>.</summary>
public static class PackageChunker
{
    public const int DefaultChunkSize = 256 * 1024;

    public static UpdateManifest Describe(string packagePath, string package, string version, int chunkSize, TimeProvider time)
    {
        if (chunkSize is < 1024 or > 16 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunk size must be 1 KiB .. 16 MiB (and below the broker's message_size_limit)");
        }
        using var file = File.OpenRead(packagePath);
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[chunkSize];
        var chunks = new List<string>();
        while (true)
        {
            var read = file.ReadAtLeast(buffer, chunkSize, throwOnEndOfStream: false);
            if (read == 0)
            {
                break;
            }
            whole.AppendData(buffer, 0, read);
            chunks.Add(Convert.ToHexStringLower(SHA256.HashData(buffer.AsSpan(0, read))));
        }
        return new UpdateManifest
        {
            Package = package,
            Version = version,
            Size = file.Length,
            Sha256 = Convert.ToHexStringLower(whole.GetHashAndReset()),
            ChunkSize = chunkSize,
            ChunkSha256 = chunks,
            IssuedAt = time.GetUtcNow(),
        };
    }
}
