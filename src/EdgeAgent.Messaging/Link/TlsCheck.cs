using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace EdgeAgent.Messaging.Link;

/// <summary>
/// Validates the broker's certificate against the configured CA (or the system store), the host name
/// and the optional pin, and remembers why it refused, because the TLS exception alone does not say.
/// </summary>
internal sealed class TlsCheck(X509Certificate2Collection? trustedCas, string? pin)
{
    private volatile string? _lastFailure;

    public string? TakeLastFailure() => Interlocked.Exchange(ref _lastFailure, null);

    public bool Validate(MqttClientCertificateValidationEventArgs e)
    {
        var certificate = e.Certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(e.Certificate.GetRawCertData());
        var errors = e.SslPolicyErrors;
        if (trustedCas is not null)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trustedCas);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (e.Chain is not null)
            {
                foreach (var element in e.Chain.ChainElements)
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
            if (!chain.Build(certificate))
            {
                var statuses = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
                return Refuse($"broker certificate '{certificate.Subject}' is not trusted by Mqtt:CaFile ({statuses})");
            }
            errors &= ~SslPolicyErrors.RemoteCertificateChainErrors;
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return Refuse($"broker certificate '{certificate.Subject}' does not name the host in Mqtt:Url");
        }
        if (errors != SslPolicyErrors.None)
        {
            return Refuse($"broker certificate '{certificate.Subject}' is not trusted ({errors}); set Mqtt:CaFile to the CA that signed it");
        }
        if (pin is not null && CertificatePin.Of(certificate) != pin)
        {
            return Refuse($"broker certificate '{certificate.Subject}' has fingerprint {CertificatePin.Of(certificate)}, not Mqtt:CertificatePin");
        }
        return true;
    }

    private bool Refuse(string reason)
    {
        _lastFailure = reason;
        return false;
    }
}
