using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeAgent.Messaging.Link;

/// <summary>SHA-256 fingerprints of certificates, in the form <c>openssl x509 -fingerprint -sha256</c> prints (colons optional).</summary>
public static class CertificatePin
{
    /// <summary>Lower-case hex without separators, or null when the text is not a SHA-256 fingerprint.</summary>
    public static string? Normalize(string text)
    {
        var hex = text.Replace(":", "", StringComparison.Ordinal).Trim().ToLowerInvariant();
        return hex.Length == 64 && hex.All(Uri.IsHexDigit) ? hex : null;
    }

    public static string Of(X509Certificate certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()));
}
