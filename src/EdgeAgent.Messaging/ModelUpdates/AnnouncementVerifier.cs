using System.Security.Cryptography;
using System.Text.Json;

namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>
/// Device side: accepts an announcement only when a configured public key signed it, before anything else
/// (no chunk is requested for an unverified manifest). Reasons are the short texts of the status topic.
/// </summary>
public sealed class AnnouncementVerifier : IDisposable
{
    private readonly Dictionary<string, ECDsa> _keys = new(StringComparer.Ordinal);

    /// <param name="publicKeyPems">PEM texts of trusted SubjectPublicKeyInfo keys.</param>
    public AnnouncementVerifier(IEnumerable<string> publicKeyPems)
    {
        foreach (var pem in publicKeyPems)
        {
            var key = ECDsa.Create();
            key.ImportFromPem(pem);
            _keys[UpdateSigner.KeyId(key)] = key;
        }
    }

    public int TrustedKeyCount => _keys.Count;

    /// <summary>Reads public keys from PEM files; a missing or unreadable file names itself.</summary>
    public static AnnouncementVerifier FromFiles(IEnumerable<string> paths) =>
        new(paths.Select(path =>
        {
            try
            {
                var pem = File.ReadAllText(path);
                using var probe = ECDsa.Create();
                probe.ImportFromPem(pem);
                return pem;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
            {
                throw new InvalidDataException($"ModelUpdates:TrustedKeys: {path} is not a readable PEM ECDSA public key ({ex.Message})", ex);
            }
        }).ToList());

    /// <summary>Returns the signed manifest or throws <see cref="UpdateRejectedException"/> ("unknown key", "bad signature", "malformed announcement: ...").</summary>
    public UpdateManifest Verify(ReadOnlySpan<byte> payload)
    {
        SignedAnnouncement? announcement;
        byte[] manifestBytes;
        byte[] signature;
        try
        {
            announcement = JsonSerializer.Deserialize(payload, ModelUpdatesJsonContext.Default.SignedAnnouncement);
            if (announcement is null)
            {
                throw new UpdateRejectedException("malformed announcement: empty");
            }
            manifestBytes = Convert.FromBase64String(announcement.Manifest);
            signature = Convert.FromBase64String(announcement.Signature);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new UpdateRejectedException($"malformed announcement: {ex.Message}", ex);
        }

        if (!_keys.TryGetValue(announcement.KeyId, out var key))
        {
            throw new UpdateRejectedException("unknown key");
        }
        if (!key.VerifyData(manifestBytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new UpdateRejectedException("bad signature");
        }

        UpdateManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(manifestBytes, ModelUpdatesJsonContext.Default.UpdateManifest);
        }
        catch (JsonException ex)
        {
            throw new UpdateRejectedException($"malformed manifest: {ex.Message}", ex);
        }
        if (manifest is null)
        {
            throw new UpdateRejectedException("malformed manifest: empty");
        }
        CheckShape(manifest);
        return manifest;
    }

    /// <summary>A signed manifest is still checked for internal consistency, so a signing-tool bug cannot make the device misbehave.</summary>
    private static void CheckShape(UpdateManifest manifest)
    {
        if (manifest.Size <= 0 || manifest.ChunkSize <= 0)
        {
            throw new UpdateRejectedException("malformed manifest: size and chunkSize must be positive");
        }
        var expectedChunks = (manifest.Size + manifest.ChunkSize - 1) / manifest.ChunkSize;
        if (manifest.ChunkCount != expectedChunks)
        {
            throw new UpdateRejectedException($"malformed manifest: {manifest.ChunkCount} chunk hashes for {expectedChunks} chunks");
        }
        if (!IsSha256(manifest.Sha256) || !manifest.ChunkSha256.All(IsSha256))
        {
            throw new UpdateRejectedException("malformed manifest: sha256 values must be 64 lower-case hex digits");
        }
    }

    private static bool IsSha256(string value) => value.Length == 64 && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
