using System.Security.Cryptography;
using EdgeAgent.Onnx.Assembly;
using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Graph;
using EdgeAgent.Onnx.Packaging;

namespace EdgeAgent.Onnx.Tests.Safety;

/// <summary>A package carrying feature statistics: written, loaded and checked like model.onnx (sha256, shape).</summary>
public sealed class FeatureStatisticsPackageTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly ModelFixture fixture = ModelFixtures.TinyCnnGap(seed: 3);

    public void Dispose() => temp.Dispose();

    private (global::Onnx.ModelProto Model, ModelManifest Manifest, byte[] File) Build(int classes = 3, int dimensions = 16, string? sha = null)
    {
        var model = fixture.Model.Clone();
        var features = PooledFeatureOutput.Add(model, fixture.FeatureMapName, FeatureLayout.Nchw, fixture.FeatureMapShape[0]);
        var means = Enumerable.Range(0, classes).Select(k => Enumerable.Range(0, dimensions).Select(j => (float)(k + j)).ToArray()).ToArray();
        var file = new FeatureStatistics(means, [], [], 2.0).ToBytes();
        var manifest = fixture.CreateManifest() with
        {
            Outputs = new OutputSpec { Logits = fixture.LogitsName, Probabilities = fixture.ProbabilitiesName, Features = features },
            Safety = new SafetySpec
            {
                FeatureDistance = new FeatureDistanceSpec
                {
                    File = FeatureDistanceSpec.DefaultFileName,
                    Sha256 = sha ?? Convert.ToHexStringLower(SHA256.HashData(file)),
                    OodThreshold = 30,
                    ReviewThreshold = 25,
                    ThresholdTpr = 0.95,
                },
            },
        };
        return (model, manifest, file);
    }

    [Fact]
    public void Statistics_are_loaded_with_the_package()
    {
        var (model, manifest, file) = Build();
        new ModelPackageWriter(manifest).WithModel(model).AddFile(FeatureDistanceSpec.DefaultFileName, file).WriteFolder(temp.Combine("pkg"));
        using var package = ModelPackage.Load(temp.Combine("pkg"));
        var statistics = Assert.IsType<FeatureStatistics>(package.FeatureStatistics);
        Assert.Equal(file, statistics.ToBytes());
        Assert.Equal(30, package.Manifest.Safety!.FeatureDistance!.OodThreshold);
    }

    [Fact]
    public void A_package_without_statistics_loads_with_none()
    {
        fixture.WritePackage(temp.Combine("old"));
        using var package = ModelPackage.Load(temp.Combine("old"));
        Assert.Null(package.FeatureStatistics);
    }

    [Fact]
    public void Writer_refuses_a_manifest_naming_statistics_it_was_not_given()
    {
        var (model, manifest, _) = Build();
        var error = Assert.Throws<ModelPackageException>(() => new ModelPackageWriter(manifest).WithModel(model).WriteFolder(temp.Combine("pkg")));
        Assert.Contains("safety.featureDistance.file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Changed_statistics_fail_the_sha256_check()
    {
        var (model, manifest, file) = Build(sha: new string('a', 64));
        new ModelPackageWriter(manifest).WithModel(model).AddFile(FeatureDistanceSpec.DefaultFileName, file).WriteFolder(temp.Combine("pkg"));
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(temp.Combine("pkg")));
        Assert.Contains("safety.featureDistance.sha256", error.Message, StringComparison.Ordinal);
        Assert.Contains("changed or damaged", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 16, "2 class means")]
    [InlineData(3, 8, "8 dimensions")]
    public void Statistics_that_do_not_fit_the_model_are_refused(int classes, int dimensions, string expected)
    {
        var (model, manifest, file) = Build(classes, dimensions);
        new ModelPackageWriter(manifest).WithModel(model).AddFile(FeatureDistanceSpec.DefaultFileName, file).WriteFolder(temp.Combine("pkg"));
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(temp.Combine("pkg")));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Feature_distance_needs_a_features_output_and_ordered_thresholds()
    {
        var (_, manifest, _) = Build();
        var noOutput = manifest with { Outputs = manifest.Outputs with { Features = null } };
        Assert.Contains("outputs.features", Assert.Throws<ModelPackageException>(() => ModelManifestValidator.Validate(noOutput)).Message, StringComparison.Ordinal);
        var inverted = manifest with
        {
            Safety = new SafetySpec { FeatureDistance = manifest.Safety!.FeatureDistance! with { ReviewThreshold = 40 } },
        };
        Assert.Contains("safety.featureDistance.reviewThreshold", Assert.Throws<ModelPackageException>(() => ModelManifestValidator.Validate(inverted)).Message, StringComparison.Ordinal);
        var escaping = manifest with
        {
            Safety = new SafetySpec { FeatureDistance = manifest.Safety!.FeatureDistance! with { File = "../x.bin" } },
        };
        Assert.Contains("safety.featureDistance.file", Assert.Throws<ModelPackageException>(() => ModelManifestValidator.Validate(escaping)).Message, StringComparison.Ordinal);
    }
}
