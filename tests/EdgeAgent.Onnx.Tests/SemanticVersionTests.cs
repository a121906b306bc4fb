using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Onnx.Tests;

public sealed class SemanticVersionTests
{
    [Theory]
    [InlineData("0.0.0", 0, 0, 0, "", null)]
    [InlineData("1.2.3", 1, 2, 3, "", null)]
    [InlineData("10.20.30-rc.1+build.7", 10, 20, 30, "rc.1", "build.7")]
    [InlineData("1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay", 1, 0, 0, "alpha-a.b-c-somethinglong", "build.1-aef.1-its-okay")]
    [InlineData("1.0.0+0.build.1-rc.10000aaa-kk-0.1", 1, 0, 0, "", "0.build.1-rc.10000aaa-kk-0.1")]
    public void Parses_valid_versions(string text, long major, long minor, long patch, string pre, string? build)
    {
        var version = SemanticVersion.Parse(text);
        Assert.Equal((major, minor, patch), (version.Major, version.Minor, version.Patch));
        Assert.Equal(pre, string.Join('.', version.PreRelease));
        Assert.Equal(build, version.Build);
        Assert.Equal(text, version.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.0")]
    [InlineData("1.0.0.0")]
    [InlineData("v1.0.0")]
    [InlineData("01.0.0")]
    [InlineData("1.00.0")]
    [InlineData("1.0.0-01")]
    [InlineData("1.0.0-")]
    [InlineData("1.0.0+")]
    [InlineData("1.0.0-a..b")]
    [InlineData("1.0.0-a_b")]
    [InlineData(" 1.0.0")]
    [InlineData("-1.0.0")]
    [InlineData("1.0.99999999999999999999")]
    public void Refuses_invalid_versions_with_a_reason(string text)
    {
        Assert.False(SemanticVersion.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<FormatException>(() => SemanticVersion.Parse(text));
    }

    [Fact]
    public void Orders_by_semver_precedence()
    {
        // The precedence chain from the SemVer 2.0.0 specification, §11, plus numeric (not text) ordering of parts.
        string[] ascending =
        [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0", "1.9.0", "1.10.0", "1.11.0", "2.0.0", "2.0.1", "2.1.0", "10.0.0",
        ];
        var versions = ascending.Select(SemanticVersion.Parse).ToArray();
        for (var i = 0; i + 1 < versions.Length; i++)
        {
            Assert.True(versions[i] < versions[i + 1], $"{versions[i]} < {versions[i + 1]}");
            Assert.True(versions[i + 1] > versions[i]);
            Assert.True(versions[i].CompareTo(versions[i + 1]) < 0);
        }

        var shuffled = versions.Reverse().ToList();
        shuffled.Sort();
        Assert.Equal(ascending, shuffled.Select(v => v.ToString()));
    }

    [Fact]
    public void Build_metadata_does_not_change_precedence_or_equality()
    {
        var a = SemanticVersion.Parse("1.2.3+aaa");
        var b = SemanticVersion.Parse("1.2.3+bbb");
        Assert.Equal(0, a.CompareTo(b));
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a >= b && a <= b);
        Assert.True(SemanticVersion.Parse("1.2.3-rc.1") != a);
    }
}
