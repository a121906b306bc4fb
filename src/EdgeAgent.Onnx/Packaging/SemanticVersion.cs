using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// A Semantic Versioning 2.0.0 version (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]) with the spec's precedence:
/// numeric parts compare as numbers; a pre-release sorts before its release; pre-release identifiers compare
/// numerically when numeric, otherwise by ASCII, numeric before alphanumeric, and a longer list wins a tie.
/// Build metadata is kept but ignored by ordering and equality (two builds of one version are the same version
/// for anti-rollback).
/// </summary>
public sealed class SemanticVersion : IComparable<SemanticVersion>, IEquatable<SemanticVersion>
{
    private SemanticVersion(long major, long minor, long patch, IReadOnlyList<string> preRelease, string? build)
    {
        Major = major;
        Minor = minor;
        Patch = patch;
        PreRelease = preRelease;
        Build = build;
    }

    public long Major { get; }
    public long Minor { get; }
    public long Patch { get; }

    /// <summary>Dot-separated pre-release identifiers (empty for a release).</summary>
    public IReadOnlyList<string> PreRelease { get; }

    /// <summary>Build metadata after '+', or null.</summary>
    public string? Build { get; }

    public bool IsPreRelease => PreRelease.Count > 0;

    public static SemanticVersion Parse(string text) =>
        TryParse(text, out var version, out var error) ? version : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out SemanticVersion? version) =>
        TryParse(text, out version, out _);

    /// <summary>Parses strictly (no leading 'v', no leading zeros, no missing parts); <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SemanticVersion? version, out string error)
    {
        version = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "a semantic version must not be empty (expected MAJOR.MINOR.PATCH, e.g. 1.0.0)";
            return false;
        }

        var rest = text;
        string? build = null;
        var plus = rest.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            build = rest[(plus + 1)..];
            rest = rest[..plus];
            if (!ValidIdentifiers(build, numericMustNotHaveLeadingZero: false))
            {
                error = $"'{text}' has invalid build metadata '{build}' (dot-separated [0-9A-Za-z-] identifiers)";
                return false;
            }
        }

        IReadOnlyList<string> preRelease = [];
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            var pre = rest[(dash + 1)..];
            rest = rest[..dash];
            if (!ValidIdentifiers(pre, numericMustNotHaveLeadingZero: true))
            {
                error = $"'{text}' has an invalid pre-release '{pre}' (dot-separated [0-9A-Za-z-] identifiers, numbers without leading zeros)";
                return false;
            }

            preRelease = pre.Split('.');
        }

        var core = rest.Split('.');
        if (core.Length != 3
            || !TryParseNumber(core[0], out var major)
            || !TryParseNumber(core[1], out var minor)
            || !TryParseNumber(core[2], out var patch))
        {
            error = $"'{text}' is not a semantic version (expected MAJOR.MINOR.PATCH with non-negative integers without leading zeros, e.g. 1.2.0)";
            return false;
        }

        version = new SemanticVersion(major, minor, patch, preRelease, build);
        error = string.Empty;
        return true;
    }

    public int CompareTo(SemanticVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var result = Major.CompareTo(other.Major);
        if (result == 0)
        {
            result = Minor.CompareTo(other.Minor);
        }

        if (result == 0)
        {
            result = Patch.CompareTo(other.Patch);
        }

        if (result != 0)
        {
            return result;
        }

        // A release outranks any of its pre-releases.
        if (PreRelease.Count == 0 || other.PreRelease.Count == 0)
        {
            return PreRelease.Count == other.PreRelease.Count ? 0 : PreRelease.Count == 0 ? 1 : -1;
        }

        for (var i = 0; i < Math.Min(PreRelease.Count, other.PreRelease.Count); i++)
        {
            result = CompareIdentifier(PreRelease[i], other.PreRelease[i]);
            if (result != 0)
            {
                return result;
            }
        }

        return PreRelease.Count.CompareTo(other.PreRelease.Count);
    }

    public bool Equals(SemanticVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is SemanticVersion other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Major);
        hash.Add(Minor);
        hash.Add(Patch);
        foreach (var identifier in PreRelease)
        {
            hash.Add(identifier, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public override string ToString()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");
        if (PreRelease.Count > 0)
        {
            text += "-" + string.Join('.', PreRelease);
        }

        return Build is null ? text : $"{text}+{Build}";
    }

    public static bool operator ==(SemanticVersion? left, SemanticVersion? right) =>
        left is null ? right is null : left.Equals(right);

    public static bool operator !=(SemanticVersion? left, SemanticVersion? right) => !(left == right);

    public static bool operator <(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) < 0;

    public static bool operator <=(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) <= 0;

    public static bool operator >(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) > 0;

    public static bool operator >=(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) >= 0;

    private static int Compare(SemanticVersion? left, SemanticVersion? right) =>
        left is null ? (right is null ? 0 : -1) : left.CompareTo(right);

    private static int CompareIdentifier(string left, string right)
    {
        var leftNumeric = left.All(char.IsAsciiDigit);
        var rightNumeric = right.All(char.IsAsciiDigit);
        if (leftNumeric && rightNumeric)
        {
            // Compare by length first so identifiers longer than a long still order correctly.
            var byLength = left.Length.CompareTo(right.Length);
            return byLength != 0 ? byLength : Math.Sign(string.CompareOrdinal(left, right));
        }

        if (leftNumeric != rightNumeric)
        {
            return leftNumeric ? -1 : 1;
        }

        return Math.Sign(string.CompareOrdinal(left, right));
    }

    private static bool TryParseNumber(string part, out long value)
    {
        value = 0;
        return part.Length > 0
            && part.All(char.IsAsciiDigit)
            && (part.Length == 1 || part[0] != '0')
            && long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool ValidIdentifiers(string text, bool numericMustNotHaveLeadingZero)
    {
        foreach (var identifier in text.Split('.'))
        {
            if (identifier.Length == 0 || !identifier.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }

            if (numericMustNotHaveLeadingZero && identifier.Length > 1 && identifier[0] == '0' && identifier.All(char.IsAsciiDigit))
            {
                return false;
            }
        }

        return true;
    }
}
