using System.Buffers;

namespace EdgeAgent.Hub.Storage;

/// <summary>Result ids name files and URLs on the hub, so only a safe alphabet is accepted.</summary>
public static class ResultIdRules
{
    public const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxLength && !id.AsSpan().ContainsAnyExcept(Allowed) && id[0] != '.';
}
