using System.Security.Cryptography;
using System.Text;

namespace EdgeAgent.Pipeline;

/// <summary>
/// Result ids derived from what was diagnosed and by which model: the same image through the same model version
/// always gets the same id, so a crash and restart can never give one input two ids (the hub de-duplicates by id).
/// </summary>
public static class ResultIds
{
    public static string For(string contentSha256, string modelName, string modelVersion)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{contentSha256}|{modelName}|{modelVersion}"));
        return Convert.ToHexStringLower(digest.AsSpan(0, 16));
    }
}
