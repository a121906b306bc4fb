using System.Text;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Onnx.Tests;

/// <summary>Keeps docs/model-package.md honest: its example manifest must pass the validator.</summary>
public sealed class ModelPackageDocTests
{
    [Fact]
    public void The_documented_example_manifest_is_valid()
    {
        var doc = File.ReadAllText(FindRepositoryFile("docs/model-package.md"));
        var start = doc.IndexOf("```json", StringComparison.Ordinal) + "```json".Length;
        var end = doc.IndexOf("```", start, StringComparison.Ordinal);

        var manifest = ModelManifestJson.Deserialize(Encoding.UTF8.GetBytes(doc[start..end]));

        ModelManifestValidator.Validate(manifest);
        Assert.Equal(["covid", "pneumonia", "normal"], manifest.Labels);
        Assert.Equal(ChannelOrder.Rgb, manifest.Input.Channels);
    }

    private static string FindRepositoryFile(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }
}
