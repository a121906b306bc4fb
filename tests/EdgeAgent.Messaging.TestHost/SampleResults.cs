using System.Security.Cryptography;
using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Messaging.TestHost;

/// <summary>
/// Deterministic results for tests and the benchmark: everything is derived from the input's bytes
/// and its index, so a result made again after a crash is byte-identical to the first one.
/// </summary>
public static class SampleResults
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);

    public static string IdFor(ReadOnlySpan<byte> content) => "r-" + Convert.ToHexStringLower(SHA256.HashData(content))[..24];

    public static ResultMessage Create(int index, string fileName, ReadOnlySpan<byte> content, bool hasOverlay = false)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var covid = (sha[0] % 10) / 10.0;
        return new ResultMessage
        {
            ResultId = "r-" + sha[..24],
            DeviceId = "dev1",
            Site = "clinic1",
            Input = new InputIdentity { FileName = fileName, Sha256 = sha },
            Model = new ModelIdentity { Name = "covid-cnn-rnn", Version = "1.0.0" },
            Label = covid > 0.5 ? "covid" : "normal",
            Probabilities = new Dictionary<string, double> { ["covid"] = covid, ["pneumonia"] = 0, ["normal"] = 1 - covid },
            TimingsMs = new Dictionary<string, double> { ["total"] = 12.5 },
            AcquiredAt = Epoch.AddSeconds(index),
            DiagnosedAt = Epoch.AddSeconds(index).AddMilliseconds(500),
            HasOverlay = hasOverlay,
        };
    }

    /// <summary>Result number <paramref name="index"/> of a synthetic series (content = the index as text).</summary>
    public static ResultMessage Numbered(int index, bool hasOverlay = false) =>
        Create(index, $"img-{index:D5}.png", System.Text.Encoding.UTF8.GetBytes($"image {index}"), hasOverlay);
}
