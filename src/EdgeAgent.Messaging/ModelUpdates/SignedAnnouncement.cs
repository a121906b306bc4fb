namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>
/// The retained payload on <c>edgeagent/v1/{site}/model/announce</c>. The signature covers the exact manifest
/// bytes (carried base64, so no JSON canonicalisation is needed): ECDSA P-256 over SHA-256, IEEE P1363 (r||s).
/// </summary>
public sealed record SignedAnnouncement
{
    /// <summary>Base64 of the UTF-8 JSON of an <see cref="UpdateManifest"/>.</summary>
    public required string Manifest { get; init; }

    /// <summary>Identity of the signing key: hex of the first 8 bytes of sha256(SubjectPublicKeyInfo).</summary>
    public required string KeyId { get; init; }

    /// <summary>Base64 signature.</summary>
    public required string Signature { get; init; }
}
