using EdgeAgent.Hosting;
using EdgeAgent.Models;

namespace EdgeAgent.Tests;

/// <summary>`edge-agent run` on a fresh install (no Model:Path) serves the model it ships, assembled under its data directory.</summary>
public sealed class ShippedModelTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("edge-agent-shipped-").FullName;

    [Fact]
    public void Without_Model_Path_run_uses_the_bundled_trained_model_assembled_under_the_data_directory()
    {
        var data = Path.Combine(root, "data");
        var builder = AgentHost.CreateBuilder(new AgentHostSettings
        {
            ReadAppSettings = false,
            UseShippedModel = true,
            Overrides = new Dictionary<string, string?> { ["Agent:DataDirectory"] = data },
        });

        var path = builder.Configuration["Model:Path"];
        Assert.NotNull(path);
        Assert.StartsWith(Path.Combine(data, "model-cache", BundledModel.BundleName + "-"), path, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(path, "manifest.json")) && File.Exists(Path.Combine(path, "model.onnx")), path);
    }

    [Fact]
    public void An_explicit_Model_Path_is_kept()
    {
        var builder = AgentHost.CreateBuilder(new AgentHostSettings
        {
            ReadAppSettings = false,
            UseShippedModel = true,
            Overrides = new Dictionary<string, string?> { ["Agent:DataDirectory"] = Path.Combine(root, "data"), ["Model:Path"] = "/srv/models/mine" },
        });

        Assert.Equal("/srv/models/mine", builder.Configuration["Model:Path"]);
        Assert.False(Directory.Exists(Path.Combine(root, "data", "model-cache")));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
