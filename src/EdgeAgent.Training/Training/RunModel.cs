using EdgeAgent.Onnx.Assembly;
using EdgeAgent.Training.Data;
using EdgeAgent.Training.Features;
using EdgeAgent.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeAgent.Training.Training;

/// <summary>
/// The trainable part of a run and how its inputs are made: for a frozen ONNX backbone the head
/// alone on cached feature maps; for a TorchSharp backbone the whole model on images.
/// </summary>
public sealed class RunModel : IDisposable
{
    private readonly FeatureExtractor? extractor;

    private RunModel(BackboneSpec spec, nn.Module<Tensor, Tensor> module, CnnRnnHead head, FrozenBackbone? frozen, int[] featureShape)
    {
        Spec = spec;
        Module = module;
        Head = head;
        Frozen = frozen;
        FeatureShape = featureShape;
        if (frozen is not null)
        {
            extractor = new FeatureExtractor(frozen);
        }
    }

    public BackboneSpec Spec { get; }

    public nn.Module<Tensor, Tensor> Module { get; }

    public CnnRnnHead Head { get; }

    public FrozenBackbone? Frozen { get; }

    /// <summary>C, H, W of the head's input feature map.</summary>
    public int[] FeatureShape { get; }

    public int InputSize => Frozen?.Input.Width ?? Spec.InputSize;

    /// <summary>Shape of one training input: the feature map (frozen) or the image [3, S, S].</summary>
    public long[] InputShape => Frozen is not null ? FeatureShape.Select(d => (long)d).ToArray() : [3, InputSize, InputSize];

    public static FrozenBackbone LoadFrozen(BackboneSpec spec) => spec.Name switch
    {
        _ when ResNet18Cut.ByName(spec.Name) is { } cut => ResNet18Backbone.Load(cut: cut),
        "onnx" => OnnxBackbone.Load(
            spec.OnnxPath!,
            spec.FeatureTensor!,
            (spec.FeatureShape![0], spec.FeatureShape[1], spec.FeatureShape[2]),
            new Onnx.Packaging.InputSpec { Name = "input", Width = spec.InputSize, Height = spec.InputSize, Scale = 1f / 255f, Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f] }),
        _ => throw new ArgumentException($"'{spec.Name}' is not a frozen ONNX backbone."),
    };

    public static RunModel Create(BackboneSpec spec, HeadOptions headOptions, int seed)
    {
        torch.manual_seed(seed);
        if (spec.IsFrozenOnnx)
        {
            var frozen = LoadFrozen(spec);
            var head = new CnnRnnHead(frozen.Channels, frozen.FeatureHeight, frozen.FeatureWidth, ClassOrder.Count, headOptions);
            return new RunModel(spec, head, head, frozen, [frozen.Channels, frozen.FeatureHeight, frozen.FeatureWidth]);
        }

        var (backbone, channels, height, width) = TorchBackbones.Create(spec.Name, spec.InputSize);
        // A backbone trained end to end has no fixed feature statistics to standardise with.
        var torchHead = new CnnRnnHead(channels, height, width, ClassOrder.Count, headOptions with { Standardize = false });
        return new RunModel(spec, new CnnRnnModel(backbone, torchHead), torchHead, null, [channels, height, width]);
    }

    /// <summary>Loads a finished run (its descriptor and weights).</summary>
    public static RunModel Load(string runDirectory, RunDescriptor run)
    {
        ClassOrder.Check(run.Labels, Path.Combine(runDirectory, RunDescriptor.FileName));
        var model = Create(run.Backbone, run.Head, run.Training.Seed);
        var weights = Path.Combine(runDirectory, RunDescriptor.WeightsFileName);
        if (!File.Exists(weights))
        {
            throw new FileNotFoundException($"Run '{runDirectory}' has no trained weights ({RunDescriptor.WeightsFileName}); train it first.", weights);
        }

        model.Module.load(weights);
        model.Module.eval();
        return model;
    }

    /// <summary>Training inputs for samples: the original of each, plus augmented copies when asked.</summary>
    /// <remarks>
    /// With <see cref="CacheDirectory"/> set, frozen-backbone features are stored per image and copy
    /// (keyed by backbone, file, size and modification time, augmentation settings and seed), so a
    /// second run on the same data skips the backbone.
    /// </remarks>
    public FeatureSet MakeInputs(IReadOnlyList<ImageSample> samples, AugmentationOptions? augmentation, int seed, TextWriter? progress, string what)
    {
        var copies = augmentation is null ? 0 : augmentation.CopiesPerImage;
        var jobs = samples.SelectMany(s => Enumerable.Range(0, copies + 1).Select(copy => (Sample: s, Copy: copy))).ToList();
        var inputs = new float[jobs.Count][];
        var labels = jobs.Select(j => j.Sample.Label).ToArray();
        const int Chunk = 16;
        var bar = progress is null ? null : new ProgressBar(progress, (jobs.Count + Chunk - 1) / Chunk);
        for (var start = 0; start < jobs.Count; start += Chunk)
        {
            var count = Math.Min(Chunk, jobs.Count - start);
            var cachePaths = new string?[count];
            var missing = new List<int>();
            for (var i = 0; i < count; i++)
            {
                var (sample, copy) = jobs[start + i];
                cachePaths[i] = extractor is null || CacheDirectory is null ? null : CachePath(sample, copy, copy == 0 ? null : augmentation, seed);
                if (cachePaths[i] is { } cached && File.Exists(cached))
                {
                    inputs[start + i] = ReadFloats(cached, extractor!.FeatureLength);
                }
                else
                {
                    missing.Add(i);
                }
            }

            var images = new GrayImage[missing.Count];
            Parallel.For(0, missing.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, m =>
            {
                var (sample, copy) = jobs[start + missing[m]];
                images[m] = InputMaker.Load(sample, InputSize, copy == 0 ? null : augmentation, copy == 0 ? null : InputMaker.AugmentSeed(seed, sample.RelativePath, copy));
            });
            if (extractor is not null)
            {
                var features = images.Length == 0 ? [] : extractor.Extract(images);
                for (var m = 0; m < missing.Count; m++)
                {
                    inputs[start + missing[m]] = features[m];
                    if (cachePaths[missing[m]] is { } path)
                    {
                        WriteFloats(path, features[m]);
                    }
                }
            }
            else
            {
                for (var m = 0; m < missing.Count; m++)
                {
                    inputs[start + missing[m]] = InputMaker.ToNormalizedRgb(images[m]);
                }
            }

            bar?.Step(what, 0, 0);
        }

        return new FeatureSet(inputs, labels);
    }

    /// <summary>Inputs for images already in memory (resized to the input size here; no cache, no augmentation), all labelled 0.</summary>
    public FeatureSet MakeInputs(IReadOnlyList<GrayImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var inputs = new float[images.Count][];
        const int Chunk = 16;
        for (var start = 0; start < images.Count; start += Chunk)
        {
            var chunk = images.Skip(start).Take(Chunk).Select(i => i.Width == InputSize && i.Height == InputSize ? i : i.Resize(InputSize, InputSize)).ToArray();
            var made = extractor is not null ? extractor.Extract(chunk) : [.. chunk.Select(InputMaker.ToNormalizedRgb)];
            made.CopyTo(inputs, start);
        }

        return new FeatureSet(inputs, new int[images.Count]);
    }

    /// <summary>Folder for cached backbone features (null = no cache).</summary>
    public string? CacheDirectory { get; set; }

    private string CachePath(ImageSample sample, int copy, AugmentationOptions? augmentation, int seed)
    {
        var info = new FileInfo(sample.FullPath);
        var key = $"{Spec.Name}|{Spec.OnnxPath}|{Spec.FeatureTensor}|{InputSize}|{sample.FullPath}|{info.Length}|{info.LastWriteTimeUtc.Ticks}|{copy}|{augmentation}|{seed}";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        Directory.CreateDirectory(CacheDirectory!);
        return Path.Combine(CacheDirectory!, hash[..32] + ".f32");
    }

    private static float[] ReadFloats(string path, int length)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != length * sizeof(float))
        {
            throw new InvalidDataException($"Feature cache file '{path}' has {bytes.Length} bytes, expected {length * sizeof(float)}; delete the cache folder.");
        }

        var values = new float[length];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    private static void WriteFloats(string path, float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        var temp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Class probabilities for inputs made by <see cref="MakeInputs"/>.</summary>
    public float[][] Predict(FeatureSet set)
    {
        Module.eval();
        using var noGrad = torch.no_grad();
        var result = new float[set.Count][];
        var all = Enumerable.Range(0, set.Count).ToArray();
        for (var start = 0; start < all.Length; start += 64)
        {
            using var scope = torch.NewDisposeScope();
            var count = Math.Min(64, all.Length - start);
            var (x, _) = HeadTrainer.Batch(set, all.AsSpan(start, count), InputShape, torch.CPU);
            var probabilities = nn.functional.softmax(Module.forward(x), 1).data<float>().ToArray();
            for (var i = 0; i < count; i++)
            {
                result[start + i] = probabilities.AsSpan(i * ClassOrder.Count, ClassOrder.Count).ToArray();
            }
        }

        return result;
    }

    public void Dispose()
    {
        extractor?.Dispose();
        Module.Dispose();
    }
}
