using System.Security.Cryptography;
using System.Text.Json;

namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>Hub side: ECDSA P-256 keys and signed announcements.</summary>
public static class UpdateSigner
{
    public const string PrivateKeyFileName = "update-signing.key.pem";
    public const string PublicKeyFileName = "update-signing.pub.pem";

    /// <summary>Writes a new key pair (PKCS#8 private, SubjectPublicKeyInfo public) into <paramref name="directory"/>; refuses to overwrite.</summary>
    public static (string PrivateKeyPath, string PublicKeyPath) CreateKeyFiles(string directory)
    {
        Directory.CreateDirectory(directory);
        var privatePath = Path.Combine(directory, PrivateKeyFileName);
        var publicPath = Path.Combine(directory, PublicKeyFileName);
        foreach (var path in new[] { privatePath, publicPath })
        {
            if (File.Exists(path))
            {
                throw new IOException($"{path} already exists; a signing key is never overwritten (devices trust it)");
            }
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // Private key readable by the owner only.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(privatePath, options))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }
        File.WriteAllText(publicPath, key.ExportSubjectPublicKeyInfoPem());
        return (privatePath, publicPath);
    }

    public static ECDsa LoadPrivateKey(string pemPath)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(pemPath));
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"{pemPath}: not a PEM ECDSA private key ({ex.Message})", ex);
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidDataException($"{pemPath}: key is {key.KeySize} bits; updates are signed with P-256");
        }
        return key;
    }

    /// <summary>Hex of the first 8 bytes of sha256 over the public key's SubjectPublicKeyInfo.</summary>
    public static string KeyId(ECDsa key) =>
        Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 8));

    public static SignedAnnouncement Sign(UpdateManifest manifest, ECDsa privateKey)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ModelUpdatesJsonContext.Default.UpdateManifest);
        var signature = privateKey.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new SignedAnnouncement
        {
            Manifest = Convert.ToBase64String(bytes),
            KeyId = KeyId(privateKey),
            Signature = Convert.ToBase64String(signature),
        };
    }

    public static byte[] Serialize(SignedAnnouncement announcement) =>
        JsonSerializer.SerializeToUtf8Bytes(announcement, ModelUpdatesJsonContext.Default.SignedAnnouncement);
}
