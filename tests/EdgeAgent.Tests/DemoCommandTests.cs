using EdgeAgent.Cli;
using EdgeAgent.Models;

namespace EdgeAgent.Tests;

/// <summary>`edge-agent demo` without --model: the bundled trained head joined with ResNet18, cached, on fresh phantoms.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("edge-agent-demo-").FullName;

    [Fact]
    public async Task Demo_assembles_the_bundled_trained_model_once_and_classifies_phantoms()
    {
        var cache = Path.Combine(root, "model-cache");
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await DemoCommand.RunAsync(Path.Combine(root, "run"), modelPath: null, count: 1, output, error, CancellationToken.None, modelCache: cache);

        var text = output.ToString();
        Assert.True(code == 0, $"{text}\n{error}");
        Assert.Contains($"Model: {BundledModel.BundleName} 1.1.0 on", text, StringComparison.Ordinal);
        Assert.Contains("trained on synthetic phantoms, not on clinical X-rays", text, StringComparison.Ordinal);
        Assert.DoesNotContain("UNTRAINED", text, StringComparison.Ordinal);
        var package = Assert.Single(Directory.GetDirectories(cache));
        Assert.StartsWith($"{BundledModel.BundleName}-", Path.GetFileName(package), StringComparison.Ordinal);

        // Rows are "file truth predicted p(...)...": three PNG and three DICOM phantoms, one per class each.
        var rows = text.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(t => t.Length > 3 && (t[0].EndsWith(".png", StringComparison.Ordinal) || t[0].EndsWith(".dcm", StringComparison.Ordinal)))
            .ToList();
        Assert.Equal(6, rows.Count);
        Assert.Equal(3, rows.Select(r => r[1]).Distinct().Count());
        // The bundle scored 98.3% on 300 held-out phantoms (README). At that error rate two or more mistakes in six
        // images has a probability of about 0.4%, so fewer than five right means the demo did not run the trained model.
        var correct = rows.Count(r => r[1] == r[2]);
        Assert.True(correct >= 5, $"{correct}/6 phantoms right:\n{text}");

        // A second resolution reuses the cached package instead of assembling again.
        var notices = new StringWriter();
        Assert.Equal(package, BundledModel.Resolve(notices, cache));
        Assert.DoesNotContain("Assembling", notices.ToString(), StringComparison.Ordinal);
        Assert.Contains("trained on synthetic phantoms", notices.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
