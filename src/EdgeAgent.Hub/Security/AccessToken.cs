using System.Security.Cryptography;
using System.Text;
using EdgeAgent.Hub.Configuration;

namespace EdgeAgent.Hub.Security;

/// <summary>
/// The bearer token that protects the API. Taken from Http:Token, else from Http:TokenFile; when that file does not
/// exist a random token is generated and written there (owner-only). <see cref="WasGenerated"/> tells the CLI to print it once.
/// </summary>
public sealed class AccessToken
{
    private readonly byte[] _hash;

    private AccessToken(string value, string? file, bool generated)
    {
        Value = value;
        File = file;
        WasGenerated = generated;
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>The token itself: for the operator at first start and for tests; never logged.</summary>
    public string Value { get; }

    public string? File { get; }

    public bool WasGenerated { get; }

    public static AccessToken Resolve(HttpOptions http, string dataDirectory)
    {
        if (!string.IsNullOrEmpty(http.Token))
        {
            return new AccessToken(http.Token, null, false);
        }
        var file = Path.GetFullPath(http.TokenFile ?? Path.Combine(dataDirectory, "hub-token"));
        if (System.IO.File.Exists(file))
        {
            var stored = System.IO.File.ReadLines(file).FirstOrDefault()?.Trim();
            if (string.IsNullOrEmpty(stored) || stored.Length < 16)
            {
                throw new HubConfigurationException($"Http:TokenFile '{file}' holds no token of at least 16 characters.");
            }
            return new AccessToken(stored, file, false);
        }
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
        {
            writer.WriteLine(token);
        }
        return new AccessToken(token, file, true);
    }

    /// <summary>Constant-time comparison (of hashes, so the length does not leak either).</summary>
    public bool Matches(ReadOnlySpan<char> candidate)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var bytes = Encoding.UTF8.GetBytes(candidate.ToArray());
        SHA256.HashData(bytes, hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }
}
