using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeAgent.Messaging.ModelUpdates;
using EdgeAgent.Messaging.Tests.Support;

namespace EdgeAgent.Messaging.Tests.ModelUpdates;

public sealed class SigningTests : IDisposable
{
    private readonly TempDirectory _dir = new("edgeagent-sign-");

    private UpdateManifest Manifest(string version = "1.2.0")
    {
        var package = UpdateLinks.WritePackage(_dir.File($"pkg-{version}.zip"), 5000, 1);
        return PackageChunker.Describe(package, "cnn-lstm", version, 1024, TimeProvider.System);
    }

    [Fact]
    public void Key_files_sign_and_the_trusted_public_key_verifies()
    {
        var (privatePath, publicPath) = UpdateSigner.CreateKeyFiles(_dir.Directory("keys"));
        Assert.Contains("BEGIN PRIVATE KEY", File.ReadAllText(privatePath), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privatePath));
        }
        // Never overwritten: devices trust the existing key.
        Assert.Throws<IOException>(() => UpdateSigner.CreateKeyFiles(Path.GetDirectoryName(privatePath)!));

        using var key = UpdateSigner.LoadPrivateKey(privatePath);
        var manifest = Manifest();
        var payload = UpdateSigner.Serialize(UpdateSigner.Sign(manifest, key));
        using var verifier = AnnouncementVerifier.FromFiles([publicPath]);
        var verified = verifier.Verify(payload);
        Assert.Equal(manifest.Sha256, verified.Sha256);
        Assert.Equal(5, verified.ChunkCount); // 5000 bytes in 1 KiB chunks
        Assert.Equal(5000 - 4 * 1024, verified.ChunkLength(4));
    }

    [Fact]
    public void A_manifest_changed_after_signing_is_a_bad_signature()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signed = UpdateSigner.Sign(Manifest(), key);
        // The attacker raises the version (or swaps the hash) but keeps the signature.
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(signed.Manifest)).Replace("\"1.2.0\"", "\"9.0.0\"", StringComparison.Ordinal);
        var tampered = signed with { Manifest = Convert.ToBase64String(Encoding.UTF8.GetBytes(json)) };
        using var verifier = new AnnouncementVerifier([key.ExportSubjectPublicKeyInfoPem()]);
        var ex = Assert.Throws<UpdateRejectedException>(() => verifier.Verify(UpdateSigner.Serialize(tampered)));
        Assert.Equal("bad signature", ex.Message);
        // The untampered one passes with the same verifier, so the rejection is about the change.
        Assert.Equal("1.2.0", verifier.Verify(UpdateSigner.Serialize(signed)).Version);
    }

    [Fact]
    public void A_key_not_in_the_configuration_is_unknown_even_when_it_claims_a_trusted_key_id()
    {
        using var trusted = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var verifier = new AnnouncementVerifier([trusted.ExportSubjectPublicKeyInfoPem()]);
        var signed = UpdateSigner.Sign(Manifest(), stranger);
        Assert.Equal("unknown key", Assert.Throws<UpdateRejectedException>(() => verifier.Verify(UpdateSigner.Serialize(signed))).Message);
        var impostor = signed with { KeyId = UpdateSigner.KeyId(trusted) };
        Assert.Equal("bad signature", Assert.Throws<UpdateRejectedException>(() => verifier.Verify(UpdateSigner.Serialize(impostor))).Message);
    }

    [Fact]
    public void Garbage_and_inconsistent_manifests_are_rejected_with_a_reason()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var verifier = new AnnouncementVerifier([key.ExportSubjectPublicKeyInfoPem()]);
        Assert.StartsWith("malformed announcement", Assert.Throws<UpdateRejectedException>(() => verifier.Verify("not json"u8)).Message, StringComparison.Ordinal);
        // Correctly signed but one chunk hash short: the signer is trusted, the manifest still has to add up.
        var manifest = Manifest();
        var shortList = manifest with { ChunkSha256 = [.. manifest.ChunkSha256.Take(4)] };
        var ex = Assert.Throws<UpdateRejectedException>(() => verifier.Verify(UpdateSigner.Serialize(UpdateSigner.Sign(shortList, key))));
        Assert.Equal("malformed manifest: 4 chunk hashes for 5 chunks", ex.Message);
        Assert.NotNull(JsonSerializer.Deserialize(UpdateSigner.Serialize(UpdateSigner.Sign(manifest, key)), ModelUpdatesJsonContext.Default.SignedAnnouncement));
    }

    public void Dispose() => _dir.Dispose();
}
