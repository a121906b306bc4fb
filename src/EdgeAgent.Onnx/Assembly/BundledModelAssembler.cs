using EdgeAgent.Onnx.GradCam;
using EdgeAgent.Onnx.Packaging;
using Onnx;

namespace EdgeAgent.Onnx.Assembly;

/// <summary>
/// Builds a complete model package from a small bundle (a trained head ONNX and a manifest template)
/// and a frozen backbone: backbone and head joined into one graph, the Grad-CAM subgraph appended
/// (cam output for every class, target = the backbone's feature map), manifest completed (input
/// spec from the backbone, output names, target layer, sha256) and written by
/// <see cref="ModelPackageWriter"/>. Needs no training runtime: the agent calls it to turn the
/// bundled head plus the ResNet18 from the NuGet package into its demo model.
/// </summary>
public static class BundledModelAssembler
{
    public const string HeadFileName = "head.onnx";
    public const string ManifestTemplateFileName = "manifest.template.json";
    public const string CamOutputName = "cam";

    /// <summary>Assembles a bundle folder (head.onnx + manifest.template.json) with the ResNet18 backbone.</summary>
    public static ModelManifest AssembleResNet18(string bundleDirectory, string packageDirectory, string? backboneDirectory = null)
    {
        var headPath = Path.Combine(bundleDirectory, HeadFileName);
        var templatePath = Path.Combine(bundleDirectory, ManifestTemplateFileName);
        foreach (var path in new[] { headPath, templatePath })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Model bundle file '{path}' is missing (a bundle holds {HeadFileName} and {ManifestTemplateFileName}).", path);
            }
        }

        var head = ModelProto.Parser.ParseFrom(File.ReadAllBytes(headPath));
        var template = ModelManifestJson.Deserialize(File.ReadAllBytes(templatePath));
        var (channels, height, width) = FeatureShape(head, headPath);
        var cut = ResNet18Cut.ForFeatureShape(channels, height, width);
        var (model, manifest) = Assemble(head, ResNet18Backbone.Load(backboneDirectory, cut), template);
        var writer = new ModelPackageWriter(manifest).WithModel(model);
        if (manifest.Safety?.FeatureDistance is { } distance)
        {
            // The feature statistics travel in the bundle next to head.onnx; ModelPackage.Load checks their sha256.
            var statistics = Path.Combine(bundleDirectory, distance.File);
            if (!File.Exists(statistics))
            {
                throw new FileNotFoundException($"Model bundle names feature statistics '{distance.File}' (safety.featureDistance.file), but '{statistics}' is missing.", statistics);
            }

            writer.AddFileFrom(distance.File, statistics);
        }

        return writer.WriteFolder(packageDirectory);
    }

    /// <summary>[C, H, W] of the head's one feature input: it says where the backbone must be cut.</summary>
    private static (long Channels, long Height, long Width) FeatureShape(ModelProto head, string headPath)
    {
        var initializers = head.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var dims = head.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(i => i.Type?.TensorType?.Shape?.Dim).ToList();
        if (dims is not [{ Count: 4 } d] || d.Skip(1).Any(x => x.DimValue <= 0))
        {
            throw new InvalidOperationException($"{headPath}: the head must have one feature input of shape [N, C, H, W] with fixed C, H, W.");
        }

        return (d[1].DimValue, d[2].DimValue, d[3].DimValue);
    }

    /// <summary>Joins, adds Grad-CAM and completes the manifest; returns them without writing.</summary>
    public static (ModelProto Model, ModelManifest Manifest) Assemble(ModelProto head, FrozenBackbone backbone, ModelManifest template)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(template);
        var initializers = head.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var headInput = head.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(i => i.Name).ToList();
        if (headInput.Count != 1)
        {
            throw new InvalidOperationException($"Head graph '{head.Graph.Name}' must have one feature input; it has {headInput.Count}.");
        }

        var headOutputs = head.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        if (!headOutputs.Contains(template.Outputs.Logits))
        {
            throw new InvalidOperationException($"Manifest template names logits '{template.Outputs.Logits}', which the head does not output ([{string.Join(", ", headOutputs)}]).");
        }

        var joined = ModelJoiner.Join(backbone.Model, backbone.FeatureName, head, headInput[0], template.Name);
        // The template may name a head tensor as the target (e.g. a standardised feature map); else the backbone's map.
        var target = template.TargetLayer ?? backbone.FeatureName;
        var cam = GradCamTransform.Apply(joined, new GradCamOptions
        {
            TargetTensor = target,
            ScoreTensor = template.Outputs.Logits,
            CamOutputName = CamOutputName,
        });
        // Pooled target-layer features for the Mahalanobis OOD score, appended after the CAM so the gradient
        // subgraph is unaffected; every assembled model has them, with or without statistics in its package.
        var channels = cam.TargetShape[cam.TargetLayout == FeatureLayout.Nhwc ? 3 : 1];
        var features = PooledFeatureOutput.Add(cam.Model, target, cam.TargetLayout, channels);
        var manifest = template with
        {
            Input = backbone.Input,
            Outputs = template.Outputs with { Cam = cam.CamOutput, Features = features },
            TargetLayer = target,
            Sha256 = "",
        };
        return (cam.Model, manifest);
    }
}
