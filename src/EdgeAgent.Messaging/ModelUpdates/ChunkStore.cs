using System.Security.Cryptography;

namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>
/// Device side: verified chunks of one transfer on disk under <c>{root}/{sha256}/</c>, each written to a temp
/// file, flushed and renamed, so whatever survives a crash or power cut is a whole chunk. Chunks are re-hashed
/// when the store opens (a file a power cut emptied is simply fetched again).
/// </summary>
public sealed class ChunkStore
{
    public const string PackageFileName = "package.zip";

    private readonly UpdateManifest _manifest;
    private readonly bool[] _have;

    public ChunkStore(string root, UpdateManifest manifest)
    {
        _manifest = manifest;
        Directory = System.IO.Directory.CreateDirectory(Path.Combine(root, manifest.Sha256)).FullName;
        _have = new bool[manifest.ChunkCount];
        if (File.Exists(PackagePath))
        {
            Array.Fill(_have, true);
            return;
        }
        for (var i = 0; i < _have.Length; i++)
        {
            var path = ChunkPath(i);
            if (File.Exists(path))
            {
                _have[i] = Matches(i, File.ReadAllBytes(path));
                if (!_have[i])
                {
                    File.Delete(path);
                }
            }
        }
    }

    public string Directory { get; }

    public string PackagePath => Path.Combine(Directory, PackageFileName);

    public int ChunksPresent => _have.Count(h => h);

    public long BytesPresent => Enumerable.Range(0, _have.Length).Where(i => _have[i]).Sum(i => (long)_manifest.ChunkLength(i));

    public IReadOnlyList<int> Missing() => [.. Enumerable.Range(0, _have.Length).Where(i => !_have[i])];

    public bool Has(int index) => _have[index];

    /// <summary>Stores the chunk when its length and sha256 match the signed manifest; false (nothing written) otherwise.</summary>
    public bool TryStore(int index, ReadOnlySpan<byte> data)
    {
        if (index < 0 || index >= _have.Length || !Matches(index, data))
        {
            return false;
        }
        if (!_have[index])
        {
            WriteDurably(ChunkPath(index), data);
            _have[index] = true;
        }
        return true;
    }

    /// <summary>Joins the chunks into the package file and checks the whole sha256; the chunks are removed afterwards.</summary>
    public string Assemble()
    {
        if (File.Exists(PackagePath))
        {
            return PackagePath;
        }
        if (_have.Any(h => !h))
        {
            throw new InvalidOperationException($"{Missing().Count} chunks still missing");
        }
        var temp = PackagePath + ".tmp";
        using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            for (var i = 0; i < _have.Length; i++)
            {
                var bytes = File.ReadAllBytes(ChunkPath(i));
                hash.AppendData(bytes);
                output.Write(bytes);
            }
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != _manifest.Sha256)
            {
                output.Close();
                File.Delete(temp);
                throw new UpdateRejectedException($"package sha256 {actual[..12]}… does not match the signed {_manifest.Sha256[..12]}…");
            }
            output.Flush(flushToDisk: true);
        }
        File.Move(temp, PackagePath, overwrite: true);
        for (var i = 0; i < _have.Length; i++)
        {
            File.Delete(ChunkPath(i));
        }
        return PackagePath;
    }

    /// <summary>Removes the transfer's folder (a rejected or superseded update).</summary>
    public void Delete()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private string ChunkPath(int index) => Path.Combine(Directory, $"chunk-{index:D6}.bin");

    private bool Matches(int index, ReadOnlySpan<byte> data) =>
        data.Length == _manifest.ChunkLength(index)
        && Convert.ToHexStringLower(SHA256.HashData(data)) == _manifest.ChunkSha256[index];

    internal static void WriteDurably(string path, ReadOnlySpan<byte> data)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(data);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
